package bufpool

import "testing"

func TestGetPut(t *testing.T) {
	b := Get()
	if len(*b) != Size {
		t.Fatalf("len %d, want %d", len(*b), Size)
	}
	Put(b)
	if c := Get(); len(*c) != Size {
		t.Fatalf("after Put: len %d, want %d", len(*c), Size)
	}
}
