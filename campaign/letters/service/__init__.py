"""What letters to officials do: campaigns and the register of officials, each supporter's
letters composed from a template, held until confirmed, delivered within caps, counted, and
officials' replies."""
