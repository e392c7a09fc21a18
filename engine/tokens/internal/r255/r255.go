// Package r255 is the part of the ristretto255 group (RFC 9496) and of
// hashing to it (RFC 9380: expand_message_xmd with SHA-512, then
// ristretto255's one-way map) that the token issuer needs to check a
// token, written on filippo.io/edwards25519, whose field arithmetic has
// assembly on amd64. The tokens package keeps github.com/cloudflare/circl
// for everything else (issuance, blinding, DLEQ proofs); it uses this
// package only to re-evaluate the PRF when a token is redeemed, where it
// must give exactly circl's output (tested against RFC 9496's and RFC
// 9380's vectors, against circl on random inputs and by a fuzz test).
//
// Operations that involve a scalar (ScalarMult, ScalarBaseMult) take
// constant time: the scalar is the issuer's private key. Decoding an
// element (SetCanonicalBytes) is not constant-time; its input is public.
package r255

import (
	"errors"
	"math/big"
	"slices"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// Constants of RFC 9496 §4.1, as field elements.
var (
	feD            = fe("37095705934669439343138083508754565189542113879843219016388785533085940283555")
	sqrtM1         = fe("19681161376707505956807079304988542015446066515923890162744021073123829784752")
	sqrtADMinusOne = fe("25063068953384623474111414158702152701244531502492656460079210482610430750235")
	invSqrtAMinusD = fe("54469307008909316920995813868745141605393597292927456921205312896311721017578")
	oneMinusDSq    = fe("1159843021668779879193775521855586647937357759715417654439879720876111806838")
	dMinusOneSq    = fe("40440834346308536858101042469323190826248399146238708352240133220865137265952")
	feOne          = new(field.Element).One()
	feZero         = new(field.Element).Zero()
)

// fe returns the field element written in decimal (a constant below p).
func fe(decimal string) *field.Element {
	n, ok := new(big.Int).SetString(decimal, 10)
	if !ok || n.BitLen() > 255 {
		panic("r255: bad constant " + decimal)
	}
	b := n.FillBytes(make([]byte, 32))
	slices.Reverse(b) // little-endian
	e, err := new(field.Element).SetBytes(b)
	if err != nil {
		panic(err)
	}
	return e
}

// ErrEncoding is returned for a byte string that is not the canonical
// encoding of an element.
var ErrEncoding = errors.New("r255: invalid ristretto255 encoding")

// Element is an element of the ristretto255 group: one representative
// Edwards point of its class. The zero value is not valid; use
// NewIdentity or a setter.
type Element struct {
	p edwards25519.Point
}

// NewIdentity returns the identity element.
func NewIdentity() *Element {
	e := new(Element)
	e.p.Set(edwards25519.NewIdentityPoint())
	return e
}

// NewGenerator returns the generator (the class of Ed25519's base point).
func NewGenerator() *Element {
	e := new(Element)
	e.p.Set(edwards25519.NewGeneratorPoint())
	return e
}

// Set sets e to a and returns e.
func (e *Element) Set(a *Element) *Element {
	e.p.Set(&a.p)
	return e
}

// Add sets e to a + b and returns e.
func (e *Element) Add(a, b *Element) *Element {
	e.p.Add(&a.p, &b.p)
	return e
}

// ScalarMult sets e to k·a and returns e, in constant time.
func (e *Element) ScalarMult(k *edwards25519.Scalar, a *Element) *Element {
	e.p.ScalarMult(k, &a.p)
	return e
}

// ScalarBaseMult sets e to k times the generator and returns e, in
// constant time.
func (e *Element) ScalarBaseMult(k *edwards25519.Scalar) *Element {
	e.p.ScalarBaseMult(k)
	return e
}

// Equal returns 1 if e and a are the same element, 0 if not (RFC 9496
// §4.3.3), in constant time.
func (e *Element) Equal(a *Element) int {
	x1, y1, _, _ := e.p.ExtendedCoordinates()
	x2, y2, _, _ := a.p.ExtendedCoordinates()
	var l, r field.Element
	eq1 := l.Multiply(x1, y2).Equal(r.Multiply(y1, x2))
	eq2 := l.Multiply(y1, y2).Equal(r.Multiply(x1, x2))
	return eq1 | eq2
}

// SetCanonicalBytes sets e to the element encoded by b (RFC 9496
// §4.3.1) and returns e, or returns ErrEncoding (e unchanged) if b is not
// the canonical encoding of an element.
func (e *Element) SetCanonicalBytes(b []byte) (*Element, error) {
	if len(b) != 32 {
		return nil, ErrEncoding
	}
	s, err := new(field.Element).SetBytes(b)
	if err != nil {
		return nil, ErrEncoding
	}
	// A canonical s re-encodes to the same bytes: this refuses values of
	// p and above and a set top bit, which SetBytes accepts.
	if [32]byte(s.Bytes()) != [32]byte(b) {
		return nil, ErrEncoding
	}
	if s.IsNegative() == 1 {
		return nil, ErrEncoding
	}
	var ss, u1, u2, u2sq, v, t0 field.Element
	ss.Square(s)
	u1.Subtract(feOne, &ss)
	u2.Add(feOne, &ss)
	u2sq.Square(&u2)
	// v = -(D * u1²) - u2²
	v.Multiply(feD, t0.Square(&u1))
	v.Negate(&v)
	v.Subtract(&v, &u2sq)
	var invSqrt field.Element
	_, wasSquare := invSqrt.SqrtRatio(feOne, t0.Multiply(&v, &u2sq))
	var denX, denY, x, y, t field.Element
	denX.Multiply(&invSqrt, &u2)
	denY.Multiply(&invSqrt, &denX)
	denY.Multiply(&denY, &v)
	x.Multiply(s, &denX)
	x.Add(&x, &x)
	x.Absolute(&x)
	y.Multiply(&u1, &denY)
	t.Multiply(&x, &y)
	if wasSquare == 0 || t.IsNegative() == 1 || y.Equal(feZero) == 1 {
		return nil, ErrEncoding
	}
	if _, err := e.p.SetExtendedCoordinates(&x, &y, feOne, &t); err != nil {
		return nil, ErrEncoding
	}
	return e, nil
}

// Encode writes the canonical encoding of e to out (RFC 9496 §4.3.2),
// in constant time.
func (e *Element) Encode(out *[32]byte) {
	x0, y0, z0, t0 := e.p.ExtendedCoordinates()
	var u1, u2, tmp field.Element
	u1.Multiply(tmp.Add(z0, y0), new(field.Element).Subtract(z0, y0))
	u2.Multiply(x0, y0)
	// invsqrt = 1/sqrt(u1 * u2²)
	var invSqrt field.Element
	invSqrt.SqrtRatio(feOne, tmp.Multiply(&u1, tmp.Square(&u2)))
	var den1, den2, zInv field.Element
	den1.Multiply(&invSqrt, &u1)
	den2.Multiply(&invSqrt, &u2)
	zInv.Multiply(&den1, &den2)
	zInv.Multiply(&zInv, t0)
	var ix0, iy0, enchanted field.Element
	ix0.Multiply(x0, sqrtM1)
	iy0.Multiply(y0, sqrtM1)
	enchanted.Multiply(&den1, invSqrtAMinusD)
	rotate := tmp.Multiply(t0, &zInv).IsNegative()
	var x, y, denInv field.Element
	x.Select(&iy0, x0, rotate)
	y.Select(&ix0, y0, rotate)
	denInv.Select(&enchanted, &den2, rotate)
	var negY field.Element
	negY.Negate(&y)
	y.Select(&negY, &y, tmp.Multiply(&x, &zInv).IsNegative())
	var s field.Element
	s.Subtract(z0, &y)
	s.Multiply(&denInv, &s)
	s.Absolute(&s)
	copy(out[:], s.Bytes())
}

// Bytes returns the canonical encoding of e.
func (e *Element) Bytes() []byte {
	var out [32]byte
	e.Encode(&out)
	return out[:]
}

// SetUniformBytes sets e to the element the one-way map of RFC 9496
// §4.3.4 gives for 64 bytes b and returns e; other lengths give an error.
func (e *Element) SetUniformBytes(b []byte) (*Element, error) {
	if len(b) != 64 {
		return nil, errors.New("r255: uniform bytes must be 64 bytes")
	}
	// SetBytes ignores the top bit and reduces modulo p: the low 255 bits
	// taken mod p, as the RFC says.
	var r0, r1 field.Element
	r0.SetBytes(b[:32])
	r1.SetBytes(b[32:])
	var p1, p2 Element
	p1.elligator(&r0)
	p2.elligator(&r1)
	return e.Add(&p1, &p2), nil
}

// elligator sets e to MAP(t) of RFC 9496 §4.3.4.
func (e *Element) elligator(t *field.Element) {
	var r, u, v, tmp field.Element
	r.Multiply(sqrtM1, tmp.Square(t))
	u.Add(&r, feOne)
	u.Multiply(&u, oneMinusDSq)
	// v = (-1 - r*D) * (r + D)
	v.Multiply(&r, feD)
	v.Negate(&v)
	v.Subtract(&v, feOne)
	v.Multiply(&v, tmp.Add(&r, feD))
	var s field.Element
	_, wasSquare := s.SqrtRatio(&u, &v)
	var sPrime field.Element
	sPrime.Multiply(&s, t)
	sPrime.Absolute(&sPrime)
	sPrime.Negate(&sPrime)
	s.Select(&s, &sPrime, wasSquare)
	var c, minusOne field.Element
	minusOne.Negate(feOne)
	c.Select(&minusOne, &r, wasSquare)
	// N = c * (r - 1) * D_MINUS_ONE_SQ - v
	var n field.Element
	n.Multiply(&c, tmp.Subtract(&r, feOne))
	n.Multiply(&n, dMinusOneSq)
	n.Subtract(&n, &v)
	var w0, w1, w2, w3, ss field.Element
	w0.Multiply(&s, &v)
	w0.Add(&w0, &w0)
	w1.Multiply(&n, sqrtADMinusOne)
	ss.Square(&s)
	w2.Subtract(feOne, &ss)
	w3.Add(feOne, &ss)
	var x, y, z, t2 field.Element
	x.Multiply(&w0, &w3)
	y.Multiply(&w2, &w1)
	z.Multiply(&w1, &w3)
	t2.Multiply(&w0, &w2)
	if _, err := e.p.SetExtendedCoordinates(&x, &y, &z, &t2); err != nil {
		panic("r255: the one-way map left the curve") // cannot happen: the map's output is on the curve
	}
}

// HashToGroup sets e to hash_to_ristretto255(msg) with domain separation
// tag dst (RFC 9380 Appendix B: 64 bytes of expand_message_xmd with
// SHA-512, then the one-way map) and returns e.
func (e *Element) HashToGroup(msg, dst []byte) (*Element, error) {
	var u [64]byte
	if err := ExpandMessageXMD(u[:], msg, dst); err != nil {
		return nil, err
	}
	return e.SetUniformBytes(u[:])
}
