"""notification: telling people in roofops (the header bell, /notifications) and by e-mail."""
