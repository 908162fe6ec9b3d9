#!/usr/bin/env bash
# Makes the PKCS#12 stores of the client test key (test-vectors/rsa/) with
# `openssl pkcs12 -export`, in the two forms integrators meet:
#   client-pbes2.p12   OpenSSL 3's default: PBES2 (AES-256-CBC, PBKDF2), MAC SHA-256
#   client-legacy.p12  -legacy: PBE-SHA1-3DES for the key, PBE-SHA1-RC2-40 for
#                      the certificate, MAC SHA-1 (what Java keytool and
#                      OpenSSL 1.x write)
# Then checks each with Python's `cryptography` (an independent reader): the
# key inside is the PKCS#8 test key. The password is "test password".
#
#     bash test-vectors/gen/pkcs12.sh     (needs openssl 3 and cryptography)
set -euo pipefail
cd "$(dirname "$0")/../rsa"
pass='pass:test password'
openssl pkcs12 -export -inkey client-private-pkcs8.pem -in client-certificate.pem \
    -name client -passout "$pass" -out client-pbes2.p12
openssl pkcs12 -export -legacy -inkey client-private-pkcs8.pem -in client-certificate.pem \
    -name client -passout "$pass" -out client-legacy.p12
openssl pkcs12 -info -in client-pbes2.p12 -passin "$pass" -noout
openssl pkcs12 -info -legacy -in client-legacy.p12 -passin "$pass" -noout
python3 - <<'PY'
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
want = serialization.load_pem_private_key(open("client-private-pkcs8.pem", "rb").read(), None)
for name in ["client-pbes2.p12", "client-legacy.p12"]:
    key, cert, _ = pkcs12.load_key_and_certificates(open(name, "rb").read(), b"test password")
    assert key.private_numbers() == want.private_numbers(), name
    assert cert.public_key().public_numbers() == want.public_key().public_numbers(), name
    print(f"{name}: cryptography reads the client test key")
PY
