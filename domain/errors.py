"""Errors a person can act on. Each message is a whole sentence that says what to do next."""


class FlexcareError(Exception):
    """Base of every error whose message may be shown to a person as it is."""


class InvalidContract(FlexcareError):
    """A contract file breaks a FlexCare rule (FC-CON)."""


class OutsideTerm(FlexcareError):
    """A day lies outside a contract's term."""


class NotAllowed(FlexcareError):
    """The person may not do this on this contract."""


class NotFound(FlexcareError):
    """The thing named does not exist (or is not visible to this person)."""
