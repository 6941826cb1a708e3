package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomBase62 returns n uniformly random base62 characters from the
// system's CSPRNG. Bytes of 248 and above are rejected rather than reduced
// modulo 62, which would bias the first characters of the alphabet.
func randomBase62(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		// crypto/rand.Read never returns an error (Go 1.24+); it crashes the
		// program instead if the system source fails.
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if b < 248 {
				out = append(out, base62[b%62])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// HashSecret returns the lookup hash stored for an API key secret or a
// session token: the hex SHA-256 of its bytes. Secrets are long random
// strings, so a fast hash is enough; a slow one would only cost latency on
// every request.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
