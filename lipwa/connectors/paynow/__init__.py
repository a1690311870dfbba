"""Paynow (Zimbabwe): web checkout and express checkout (EcoCash, OneMoney, InnBucks), PROVIDERS.md section 7."""
