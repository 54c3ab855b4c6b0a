"""One module per `cchc-xl` sub-command: each turns parsed arguments into calls of the core and an exit code."""
