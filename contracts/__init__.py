"""The form 1-әу as code and data: indicators, rules, identifiers and pandera schemas."""
