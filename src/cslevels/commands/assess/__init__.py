"""`cslevels assess`: the interactive questionnaire, its terminal session and its saving."""
