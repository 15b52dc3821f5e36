"""campaign: petitions, letters to officials and solidarity mail for political prisoners."""
