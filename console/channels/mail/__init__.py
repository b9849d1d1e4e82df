"""E-mail: the IMAP intake, the SMTP delivery and the parsing of real-world mail."""
