/* A program for fault_symbols_test: a few functions on known lines, built
 * with DWARF (the test compares the table with libdw's own answers). */
#include <stdio.h>

__attribute__((noinline)) int fixture_leaf(int x) {
  volatile int y = x * 3;
  return y + 1;
}

__attribute__((noinline)) static int fixture_middle(int x) {
  int a = fixture_leaf(x);
  int b = fixture_leaf(a);
  return a + b;
}

int main(int argc, char** argv) {
  (void)argv;
  printf("%d\n", fixture_middle(argc));
  return 0;
}
