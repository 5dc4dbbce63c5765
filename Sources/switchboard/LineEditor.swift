import Foundation

/// One keystroke, decoded from the bytes a terminal sends for it.
enum EditorKey: Equatable {
    case insert(String)
    case backspace, delete, left, right, home, end, up, down
    case killToStart, killToEnd, deleteWord, clearScreen, suspend
    case enter, interrupt
    /// Ctrl-D: end of input on an empty line, otherwise delete under the cursor.
    case endOrDelete
    /// A key or escape sequence with no binding; swallowed so it never lands in the text.
    case ignored

    /// The first key in `bytes` and how many bytes it used, or nil when `bytes` is only the
    /// start of a key (an escape sequence or UTF-8 character cut short) and more must be read.
    static func decode(_ bytes: [UInt8]) -> (key: EditorKey, length: Int)? {
        guard let first = bytes.first else { return nil }
        if first == 0x1B { return decodeEscape(bytes) }
        // CR LF counts once, so text pasted with Windows line ends gives no extra empty lines.
        if first == 0x0D && bytes.count > 1 && bytes[1] == 0x0A { return (.enter, 2) }
        if first < 0x20 || first == 0x7F { return (controls[first] ?? .ignored, 1) }
        // A run of text up to the next control byte, inserted at once (fast for pastes).
        var end = bytes.firstIndex { $0 < 0x20 || $0 == 0x7F } ?? bytes.count
        if end == bytes.count {
            // Hold back a multi-byte character whose remaining bytes have not been read yet.
            var lead = end - 1
            while lead > 0 && end - lead < 4 && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
            if bytes[lead] >= 0xC0 {
                let need = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : 2
                if end - lead < need { end = lead }
            }
        }
        guard end > 0 else { return nil }
        return (.insert(String(decoding: bytes[..<end], as: UTF8.self)), end)
    }

    /// Control bytes: Enter, Backspace, Ctrl-C/D, and the emacs keys shells use.
    private static let controls: [UInt8: EditorKey] = [
        0x0D: .enter, 0x0A: .enter, 0x7F: .backspace, 0x08: .backspace, 0x03: .interrupt, 0x04: .endOrDelete,
        0x01: .home, 0x05: .end, 0x02: .left, 0x06: .right, 0x10: .up, 0x0E: .down,
        0x0B: .killToEnd, 0x15: .killToStart, 0x17: .deleteWord, 0x0C: .clearScreen, 0x1A: .suspend,
    ]

    /// The last byte of ESC [ x or ESC O x for the arrows, Home and End.
    private static let finals: [UInt8: EditorKey] = [
        UInt8(ascii: "A"): .up, UInt8(ascii: "B"): .down, UInt8(ascii: "C"): .right, UInt8(ascii: "D"): .left,
        UInt8(ascii: "H"): .home, UInt8(ascii: "F"): .end,
    ]

    /// ESC [ … final (CSI), ESC O x (SS3, the keypad's "application mode"), or ESC + key (Alt).
    private static func decodeEscape(_ bytes: [UInt8]) -> (key: EditorKey, length: Int)? {
        guard bytes.count >= 2 else { return nil }
        switch bytes[1] {
        case UInt8(ascii: "["):
            var i = 2
            while i < bytes.count && (0x20...0x3F).contains(bytes[i]) { i += 1 }
            guard i < bytes.count else { return bytes.count > 32 ? (.ignored, bytes.count) : nil }
            // A control byte inside the sequence ends it; that byte is a key of its own.
            guard (0x40...0x7E).contains(bytes[i]) else { return (.ignored, i) }
            // Modifiers (ESC [1;5C) are ignored: Ctrl-Right moves like Right.
            let parameter = String(decoding: bytes[2..<i], as: UTF8.self).split(separator: ";").first ?? ""
            let key: EditorKey
            switch bytes[i] {
            case UInt8(ascii: "~"):
                switch parameter {
                case "1", "7": key = .home
                case "4", "8": key = .end
                case "3": key = .delete
                default: key = .ignored
                }
            default: key = finals[bytes[i]] ?? .ignored
            }
            return (key, i + 1)
        case UInt8(ascii: "O"):
            guard bytes.count >= 3 else { return nil }
            return (finals[bytes[2]] ?? .ignored, 3)
        default:
            // Alt+key: swallow the pair rather than insert the letter.
            return (.ignored, (0x20..<0x7F).contains(bytes[1]) ? 2 : 1)
        }
    }
}

/// The line being edited and the session's history. A value with no I/O: every edit is a
/// plain function of the keys applied, which keeps the terminal code in `LineEditor` small.
struct LineBuffer {
    /// What applying a key means for whoever reads the line.
    enum Outcome: Equatable { case editing, clearScreen, accepted(String), interrupted, endOfInput }

    /// Characters, not bytes or scalars, so the cursor steps over "é" or "日" as one.
    private(set) var text: [Character] = []
    private(set) var cursor = 0
    private(set) var history: [String] = []
    /// The history entry on show while walking with Up/Down; nil on the new line.
    private var recalled: Int?
    /// The new line as it was before walking into history, given back on the way down.
    private var draft: [Character] = []

    var line: String { String(text) }

    mutating func apply(_ key: EditorKey) -> Outcome {
        switch key {
        case .insert(let string):
            text.insert(contentsOf: string, at: cursor)
            cursor += string.count
        case .backspace:
            if cursor > 0 { cursor -= 1; text.remove(at: cursor) }
        case .delete:
            if cursor < text.count { text.remove(at: cursor) }
        case .left: cursor = max(cursor - 1, 0)
        case .right: cursor = min(cursor + 1, text.count)
        case .home: cursor = 0
        case .end: cursor = text.count
        case .up: walkHistory(by: -1)
        case .down: walkHistory(by: 1)
        case .killToStart: text.removeSubrange(..<cursor); cursor = 0
        case .killToEnd: text.removeSubrange(cursor...)
        case .deleteWord:
            // Like the shell's Ctrl-W: trailing blanks, then the word before them.
            var start = cursor
            while start > 0 && text[start - 1].isWhitespace { start -= 1 }
            while start > 0 && !text[start - 1].isWhitespace { start -= 1 }
            text.removeSubrange(start..<cursor)
            cursor = start
        case .endOrDelete:
            if text.isEmpty { reset(); return .endOfInput }
            if cursor < text.count { text.remove(at: cursor) }
        case .enter:
            let accepted = line
            if text.contains(where: { !$0.isWhitespace }) && history.last != accepted { history.append(accepted) }
            reset()
            return .accepted(accepted)
        case .interrupt:
            reset()
            return .interrupted
        case .clearScreen: return .clearScreen
        case .suspend, .ignored: break
        }
        return .editing
    }

    /// Up (-1) or Down (+1) through history; one step below the newest entry is the draft.
    private mutating func walkHistory(by step: Int) {
        let position = recalled ?? history.count
        let target = position + step
        guard target >= 0 && target <= history.count else { return }
        if recalled == nil { draft = text }
        recalled = target < history.count ? target : nil
        text = recalled.map { Array(history[$0]) } ?? draft
        cursor = text.count
    }

    private mutating func reset() { (text, cursor, recalled, draft) = ([], 0, nil, []) }

    /// Terminal columns a character takes: 2 for East Asian wide characters and emoji, else 1.
    static func columns(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        if scalar.properties.isEmojiPresentation { return 2 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default: return 1
        }
    }

    static func columns<S: Sequence<Character>>(_ characters: S) -> Int {
        characters.reduce(0) { $0 + columns($1) }
    }

    /// Columns `string` shows on screen, skipping ANSI escape sequences (the bold prompt).
    static func visibleColumns(_ string: String) -> Int {
        var total = 0, inEscape = false
        for character in string {
            if inEscape {
                inEscape = !character.isLetter
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                total += columns(character)
            }
        }
        return total
    }
}

/// Reads lines from a terminal with editing and ↑/↓ history, without libedit or readline.
/// The terminal is raw only while a line is read, so output printed between lines (a
/// streamed answer) sees it cooked, with Ctrl-C raising SIGINT. When stdin or stdout is not
/// a terminal it prints the prompt and uses Swift's `readLine()`.
final class LineEditor {
    private var buffer = LineBuffer()
    /// Bytes read beyond the last accepted line (type-ahead), used before reading again.
    private var pending: [UInt8] = []
    /// The cooked settings, kept while raw so that Ctrl-Z can hand them back to the shell.
    private var saved = termios()

    func readLine(prompt: String) -> String? {
        fflush(nil)
        guard isatty(0) != 0, isatty(1) != 0, enterRawMode() else {
            FileHandle.standardOutput.write(Data(prompt.utf8))
            return Swift.readLine()
        }
        defer {
            tcsetattr(0, TCSANOW, &saved)
            TerminalRestore.disarm()
        }
        return edit(prompt: prompt)
    }

    /// Raw mode: bytes arrive one key at a time, unechoed, with Ctrl-C/Z/V/S as plain bytes.
    /// TCSANOW rather than TCSAFLUSH, so what was typed while an answer streamed is kept.
    private func enterRawMode() -> Bool {
        guard tcgetattr(0, &saved) == 0 else { return false }
        TerminalRestore.arm(saved)
        var raw = saved
        raw.c_iflag &= ~tcflag_t(ICRNL | IXON)
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        withUnsafeMutableBytes(of: &raw.c_cc) {
            $0[Int(VMIN)] = 1; $0[Int(VTIME)] = 0
        }
        return tcsetattr(0, TCSANOW, &raw) == 0
    }

    private func edit(prompt: String) -> String? {
        let promptColumns = LineBuffer.visibleColumns(prompt)
        refresh(prompt, promptColumns)
        while true {
            // At end of input (the terminal went away) what was typed still counts, as with readLine().
            let key = nextKey() ?? (buffer.text.isEmpty ? .endOrDelete : .enter)
            if key == .suspend {
                // Ctrl-Z no longer raises SIGTSTP in raw mode: stop as the shell expects, cooked.
                tcsetattr(0, TCSANOW, &saved)
                kill(getpid(), SIGTSTP)
                _ = enterRawMode()  // resumed by fg; the shell may have changed the settings
            }
            // Leave the whole line on screen, cursor at its end, before moving to the next row.
            if key == .enter || key == .interrupt {
                _ = buffer.apply(.end)
                refresh(prompt, promptColumns)
            }
            switch buffer.apply(key) {
            case .editing: refresh(prompt, promptColumns)
            case .clearScreen:
                output("\u{1B}[H\u{1B}[2J")
                refresh(prompt, promptColumns)
            case .accepted(let line):
                output("\r\n")
                return line
            case .interrupted:
                // An empty line: the REPL prompts again, as a shell does.
                output("^C\r\n")
                return ""
            case .endOfInput: return nil
            }
        }
    }

    /// The next key from type-ahead or stdin; nil at end of input.
    private func nextKey() -> EditorKey? {
        while true {
            if let decoded = EditorKey.decode(pending) {
                pending.removeFirst(decoded.length)
                return decoded.key
            }
            // ESC with nothing after it soon is the Escape key (or a broken sequence): drop it.
            if pending.first == 0x1B && !inputArrives(withinMilliseconds: 100) {
                pending.removeAll()
                return .ignored
            }
            var chunk = [UInt8](repeating: 0, count: 1024)
            let count = read(0, &chunk, chunk.count)
            if count > 0 {
                pending += chunk[..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return nil
            }
        }
    }

    private func inputArrives(withinMilliseconds timeout: Int32) -> Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, timeout)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    /// Redraws prompt and line on the current row. A line wider than the terminal scrolls
    /// sideways around the cursor instead of wrapping, since "\r" only returns within one row.
    private func refresh(_ prompt: String, _ promptColumns: Int) {
        var size = winsize()
        let width = ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        // Two columns stay free: the cursor never reaches the wrap state, and "^C" fits after it.
        let room = max(width - promptColumns - 2, 1)
        let text = buffer.text
        var start = 0, beforeCursor = LineBuffer.columns(text[..<buffer.cursor])
        while beforeCursor > room { beforeCursor -= LineBuffer.columns(text[start]); start += 1 }
        var end = start, used = 0
        while end < text.count && used + LineBuffer.columns(text[end]) <= room {
            used += LineBuffer.columns(text[end])
            end += 1
        }
        let column = promptColumns + beforeCursor
        output("\r" + prompt + String(text[start..<end]) + "\u{1B}[K\r" + (column > 0 ? "\u{1B}[\(column)C" : ""))
    }

    private func output(_ string: String) {
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if !(written < 0 && errno == EINTR) {
                return
            }
        }
    }
}

/// Puts the terminal back the way it was if a signal ends the program while a line is being
/// read (raw mode would otherwise outlive it, leaving the shell without echo). The handler
/// restores the saved settings, then lets the signal do what it does by default.
enum TerminalRestore {
    nonisolated(unsafe) private static var cooked = termios()
    nonisolated(unsafe) private static var armed: sig_atomic_t = 0
    private static let signals = [SIGTERM, SIGHUP, SIGQUIT]

    static func arm(_ settings: termios) {
        cooked = settings
        armed = 1
        for sig in signals {
            signal(sig) { received in
                if TerminalRestore.armed != 0 { tcsetattr(0, TCSANOW, &TerminalRestore.cooked) }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    static func disarm() {
        armed = 0
        for sig in signals { signal(sig, SIG_DFL) }
    }
}
