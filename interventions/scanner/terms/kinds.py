"""The kinds of high-risk goods a method term may name."""

P, S, CH, R, K, OT = "pesticide", "sedative", "charcoal", "rope", "knife", "other"
