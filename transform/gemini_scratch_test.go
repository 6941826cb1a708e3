package transform

import (
	"fmt"
	"os"
	"testing"
)

func TestGeminiScratch(t *testing.T) {
	b, _ := os.ReadFile("testdata/gemini/request_tools.json")
	c := Get(Gemini)
	req, err := c.DecodeRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%+v\n", req)
	out, err := c.EncodeRequest(req, EncodeOptions{Model: "gemini-3-pro-preview"})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(string(out))
	out, err = Get(Antigravity).EncodeRequest(req, EncodeOptions{Model: "claude-sonnet-4-5-thinking", Project: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(string(out))
}
