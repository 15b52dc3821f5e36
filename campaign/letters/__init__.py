"""Letters to officials: the register of officials, letter campaigns, delivery."""
