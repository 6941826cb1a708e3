package transform

import (
	"math/rand/v2"
	"time"
)

const oaiAlnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// oaiNewID returns prefix followed by n random alphanumerics, the shape of
// OpenAI ids (chatcmpl-…, call_…). Ids need to be unique, not secret, so
// the fast non-cryptographic generator is enough.
var oaiNewID = func(prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); {
		r := rand.Uint64()
		for j := 0; j < 10 && i < len(b); j++ {
			b[i] = oaiAlnum[r%62]
			r /= 62
			i++
		}
	}
	return string(b)
}

// oaiNewHexID returns prefix followed by n random hex digits, the shape of
// Responses item ids (resp_…, msg_…, fc_…, rs_…).
var oaiNewHexID = func(prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); {
		r := rand.Uint64()
		for j := 0; j < 16 && i < len(b); j++ {
			b[i] = jsonHex[r&0xf]
			r >>= 4
			i++
		}
	}
	return string(b)
}

// oaiNow is the clock for created timestamps; tests replace it.
var oaiNow = func() int64 { return time.Now().Unix() }
