// Placeholder until the command line lands; replaced by the CLI work.
int main() { return 0; }
