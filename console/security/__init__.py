"""Who is signed in and what they may do: principals and the permission guard."""
