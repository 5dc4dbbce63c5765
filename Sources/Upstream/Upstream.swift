import CCurl
// Placeholder until the module is filled in.
