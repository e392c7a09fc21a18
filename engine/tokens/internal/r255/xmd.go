package r255

import (
	"crypto/sha512"
	"errors"
)

// ExpandMessageXMD fills out with expand_message_xmd(msg, dst, len(out))
// of RFC 9380 §5.3.1 with SHA-512. It returns an error if dst is empty
// or longer than 255 bytes, or out is empty or longer than 255·64 bytes.
func ExpandMessageXMD(out, msg, dst []byte) error {
	const b, r = sha512.Size, sha512.BlockSize // b_in_bytes, r_in_bytes
	n := len(out)
	ell := (n + b - 1) / b
	switch {
	case len(dst) == 0 || len(dst) > 255:
		return errors.New("r255: expand_message_xmd: domain separation tag of 1 to 255 bytes")
	case n == 0 || ell > 255:
		return errors.New("r255: expand_message_xmd: output of 1 to 16320 bytes")
	}
	h := sha512.New()
	var zPad [r]byte
	h.Write(zPad[:])
	h.Write(msg)
	h.Write([]byte{byte(n >> 8), byte(n), 0})
	h.Write(dst)
	h.Write([]byte{byte(len(dst))})
	var b0, bi [b]byte
	h.Sum(b0[:0])
	for i := 1; i <= ell; i++ {
		h.Reset()
		if i == 1 {
			h.Write(b0[:])
		} else {
			var x [b]byte
			for j := range x {
				x[j] = b0[j] ^ bi[j]
			}
			h.Write(x[:])
		}
		h.Write([]byte{byte(i)})
		h.Write(dst)
		h.Write([]byte{byte(len(dst))})
		h.Sum(bi[:0])
		copy(out[(i-1)*b:], bi[:])
	}
	return nil
}
