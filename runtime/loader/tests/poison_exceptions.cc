// Must not compile as target code: exceptions.
int f(int x) {
  if (x) throw 1;
  return 0;
}
