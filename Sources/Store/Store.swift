import CSQLite
// Placeholder until the module is filled in.
