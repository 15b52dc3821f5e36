"""Printable postcards to prisoners: a picture on the front, the address and a short code on
the back; the code logs the card as sent in one step."""
