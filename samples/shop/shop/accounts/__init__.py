"""Customer accounts: registration, login, address book."""
