"""Customer notifications (e-mail, SMS) sent from an in-process task queue."""
