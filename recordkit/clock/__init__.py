"""The case clock: working-day calendar (``calendar``), procedure profiles (``profiles``),
step status and deadlines (``status``), and the working folder's setup that plugs the
profile's checks into the case books (``setup``)."""
