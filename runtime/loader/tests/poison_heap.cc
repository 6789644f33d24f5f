// Must not compile as target code: the heap.
struct S { int x; };
S* make() { return new S{1}; }
