"""Forms: the template catalog (``catalog``), the render context (``context``), the
renderer (``render``), QR payloads (``qr``), the generator and batches (``generator``,
``batch``), regeneration (``regenerate``), bundles (``bundle``) and the LibreOffice
bridge (``libreoffice``)."""
