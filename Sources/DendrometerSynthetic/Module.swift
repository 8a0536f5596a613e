// Placeholder: the synthetic micrograph generator lands here.
