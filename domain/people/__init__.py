"""People as readers: the language each person reads FlexCare in (issue 10, "whose language")."""
