package invite

import "filippo.io/edwards25519/field"

// ristrettoD is the Edwards curve constant d = -121665/121666.
var ristrettoD = func() *field.Element {
	num, den := smallElement(121665), smallElement(121666)
	num.Negate(num)
	return new(field.Element).Multiply(num, new(field.Element).Invert(den))
}()

func smallElement(x uint32) *field.Element {
	var b [32]byte
	b[0], b[1], b[2], b[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
	e, err := new(field.Element).SetBytes(b[:])
	if err != nil {
		panic(err)
	}
	return e
}

// validRistretto reports whether b is the canonical encoding of a
// ristretto255 element other than the identity, following the decoding
// procedure of RFC 9496 §4.3.1. A token issuer's public key must be one.
func validRistretto(b [32]byte) bool {
	s, err := new(field.Element).SetBytes(b[:])
	if err != nil {
		return false
	}
	// 1. s must be canonical and non-negative.
	var canon [32]byte
	copy(canon[:], s.Bytes())
	if canon != b || s.IsNegative() == 1 {
		return false
	}
	one := new(field.Element).One()
	ss := new(field.Element).Square(s)
	u1 := new(field.Element).Subtract(one, ss)
	u2 := new(field.Element).Add(one, ss)
	u2sqr := new(field.Element).Square(u2)
	// v = -(D * u1^2) - u2^2
	v := new(field.Element).Square(u1)
	v.Multiply(v, ristrettoD)
	v.Negate(v)
	v.Subtract(v, u2sqr)
	invsqrt, wasSquare := new(field.Element).SqrtRatio(one, new(field.Element).Multiply(v, u2sqr))
	denX := new(field.Element).Multiply(invsqrt, u2)
	denY := new(field.Element).Multiply(invsqrt, denX)
	denY.Multiply(denY, v)
	x := new(field.Element).Multiply(s, denX)
	x.Add(x, x)
	x.Absolute(x)
	y := new(field.Element).Multiply(u1, denY)
	t := new(field.Element).Multiply(x, y)
	if wasSquare != 1 || t.IsNegative() == 1 || y.Equal(new(field.Element).Zero()) == 1 {
		return false
	}
	// The identity encodes as s = 0; it is a valid element but no key.
	return s.Equal(new(field.Element).Zero()) != 1
}
