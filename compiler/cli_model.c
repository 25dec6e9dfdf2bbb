int cli_init(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cli_infer(int argc, char **argv) { (void)argc; (void)argv; return 1; }
