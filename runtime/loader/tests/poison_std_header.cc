// Must not compile as target code: a standard library header.
#include <array>
int f() { return 0; }
