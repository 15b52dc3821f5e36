"""Prisoners, the facilities that hold them, and the letters volunteers send them."""
