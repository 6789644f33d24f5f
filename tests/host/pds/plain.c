/* Not a PD program: a plain Linux program (no host libmicrokit). */
int main(void) { return 0; }
