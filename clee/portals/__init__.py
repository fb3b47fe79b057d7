"""The web pages of each role (DESIGN §1), above the domain apps: views parse input, call a
service or a selector, and render. Each role has its own package and URL namespace; shared
helpers (access, navigation, exports, pagination) live here."""
