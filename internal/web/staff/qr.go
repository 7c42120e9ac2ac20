package staff

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"
)

// qrSize is the QR code's width in pixels: sharp enough for an A4 poster.
const qrSize = 512

// roundQR is a QR code of the round's full address for respondents, as a
// PNG to print on a poster or put on a slide. It is made on each request
// from the address alone; nothing about answers is in it.
func (s *Pages) roundQR(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.respondentAddress(d, r), qrcode.Medium, qrSize)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+d.ID+`-`+r.ID+`-qr.png"`)
	return c.Status(http.StatusOK).Send(png)
}
