#!/usr/bin/env python3
"""Generates the RSA test keys and the RSA-OAEP-256 JWE vectors.

Keys are fresh 2048-bit test keys made here with Python's `cryptography`
(never credentials): a "client" pair (the platform encrypts responses to it)
and a "server" pair (clients seal requests to its certificate), plus a
1024-bit key and a password-protected PEM that the crate must refuse. The
JWEs are made by `joserfc`, an independent JOSE implementation, with
RSA-OAEP-256 and both A128GCM and A256GCM. RFC 7516 Appendix A.1 is checked
here with cryptography's OAEP (SHA-1) and AESGCM before it is written.

    pip install cryptography joserfc
    python3 test-vectors/gen/rsa.py
"""
import base64
import datetime as dt
import json
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from joserfc import jwe
from joserfc.jwe import JWERegistry
from joserfc.jwk import RSAKey

OUT = Path(__file__).resolve().parent.parent
KEYS = OUT / "rsa"
REGISTRY = JWERegistry(algorithms=["RSA-OAEP-256", "A128GCM", "A256GCM"])
KID = "KONA0TEST0RSA0KEY000000000000001"


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64u(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def cert_for(key, cn):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(20261124).not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
            .sign(key, hashes.SHA256()))


def write(name, data):
    (KEYS / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def pem_private(key, fmt):
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())


def jwk_of(key, private):
    nums = key.private_numbers() if private else None
    pub = key.public_key().public_numbers()
    i = lambda v: b64u(v.to_bytes((v.bit_length() + 7) // 8, "big"))
    out = {"kty": "RSA", "kid": KID, "use": "enc", "alg": "RSA-OAEP-256", "n": i(pub.n), "e": i(pub.e)}
    if private:
        out.update({"d": i(nums.d), "p": i(nums.p), "q": i(nums.q), "dp": i(nums.dmp1), "dq": i(nums.dmq1),
                    "qi": i(nums.iqmp)})
    return out


def make_keys():
    KEYS.mkdir(exist_ok=True)
    client = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pkcs8, pkcs1 = serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL
    write("client-private-pkcs8.pem", pem_private(client, pkcs8))
    write("client-private-pkcs1.pem", pem_private(client, pkcs1))
    write("client-private-pkcs8.der", client.private_bytes(serialization.Encoding.DER, pkcs8, serialization.NoEncryption()))
    write("client-certificate.pem", cert_for(client, "KONA PLATE test client").public_bytes(serialization.Encoding.PEM))
    write("server-private-pkcs8.pem", pem_private(server, pkcs8))
    server_cert = cert_for(server, "KONA PLATE test server")
    write("server-certificate.pem", server_cert.public_bytes(serialization.Encoding.PEM))
    write("server-certificate.der", server_cert.public_bytes(serialization.Encoding.DER))
    write("server-public.pem", server.public_key().public_bytes(serialization.Encoding.PEM,
                                                                serialization.PublicFormat.SubjectPublicKeyInfo))
    write("small-1024-private.pem", pem_private(small, pkcs8))
    write("small-1024-public.pem", small.public_key().public_bytes(serialization.Encoding.PEM,
                                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    write("client-private-encrypted.pem", client.private_bytes(
        serialization.Encoding.PEM, pkcs8, serialization.BestAvailableEncryption(b"test-password")))
    # One keyring entry: the server's public key to seal to, the client's private key to open with.
    keyring = {"keys": [jwk_of(server, False), jwk_of(client, True)]}
    write("keyring.json", json.dumps(keyring, indent=1) + "\n")
    return client, server


def joserfc_seal(key, protected, plaintext: bytes):
    return jwe.encrypt_compact(protected, plaintext, RSAKey.import_key(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)),
        registry=REGISTRY)


RFC7516_A1 = {
    "name": "RFC 7516 Appendix A.1: RSAES-OAEP (SHA-1) and AES GCM",
    "jwk": {
        "kty": "RSA",
        "n": "oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUWcJoZmds2h7M70imEVhRU5djINXtqllXI4DFqcI1DgjT9LewND8MW2Krf3Spsk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2asbOenSZeyaxziK72UwxrrKoExv6kc5twXTq4h-QChLOln0_mtUZwfsRaMStPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2djYgyD3JR_MB_4NUJW_TqOQtwHYbxevoJArm-L5StowjzGy-_bq6Gw",
        "e": "AQAB",
        "d": "kLdtIj6GbDks_ApCSTYQtelcNttlKiOyPzMrXHeI-yk1F7-kpDxY4-WY5NWV5KntaEeXS1j82E375xxhWMHXyvjYecPT9fpwR_M9gV8n9Hrh2anTpTD93Dt62ypW3yDsJzBnTnrYu1iwWRgBKrEYY46qAZIrA2xAwnm2X7uGR1hghkqDp0Vqj3kbSCz1XyfCs6_LehBwtxHIyh8Ripy40p24moOAbgxVw3rxT_vlt3UVe4WO3JkJOzlpUf-KTVI2Ptgm-dARxTEtE-id-4OJr0h-K-VFs3VSndVTIznSxfyrj8ILL6MG_Uv8YAu7VILSB3lOW085-4qE3DzgrTjgyQ",
        "p": "1r52Xk46c-LsfB5P442p7atdPUrxQSy4mti_tZI3Mgf2EuFVbUoDBvaRQ-SWxkbkmoEzL7JXroSBjSrK3YIQgYdMgyAEPTPjXv_hI2_1eTSPVZfzL0lffNn03IXqWF5MDFuoUYE0hzb2vhrlN_rKrbfDIwUbTrjjgieRbwC6Cl0",
        "q": "wLb35x7hmQWZsWJmB_vle87ihgZ19S8lBEROLIsZG4ayZVe9Hi9gDVCOBmUDdaDYVTSNx_8Fyw1YYa9XGrGnDew00J28cRUoeBB_jKI1oma0Orv1T9aXIWxKwd4gvxFImOWr3QRL9KEBRzk2RatUBnmDZJTIAfwTs0g68UZHvtc",
        "dp": "ZK-YwE7diUh0qR1tR7w8WHtolDx3MZ_OTowiFvgfeQ3SiresXjm9gZ5KLhMXvo-uz-KUJWDxS5pFQ_M0evdo1dKiRTjVw_x4NyqyXPM5nULPkcpU827rnpZzAJKpdhWAgqrXGKAECQH0Xt4taznjnd_zVpAmZZq60WPMBMfKcuE",
        "dq": "Dq0gfgJ1DdFGXiLvQEZnuKEN0UUmsJBxkjydc3j4ZYdBiMRAy86x0vHCjywcMlYYg4yoC4YZa9hNVcsjqA3FeiL19rk8g6Qn29Tt0cj8qqyFpz9vNDBUfCAiJVeESOjJDZPYHdHY8v1b-o-Z2X5tvLx-TCekf7oxyeKDUqKWjis",
        "qi": "VIMpMYbPf47dT1w_zDUXfPimsSegnMOA1zTaX7aGk_8urY6R8-ZW1FxU7AlWAyLWybqq6t16VFd7hQd0y6flUK4SlOydB61gwanOsXGOAOv82cHq0E3eL4HrtZkUuKvnPrMnsUUFlfUdybVzxyjz9JF_XyaY14ardLSjf4L_FNY",
    },
    "compact": "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDbSv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je81860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi6UklfCpIMfIjf7iGdXKHzg.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ",
    "plaintext": "The true sign of intelligence is not knowledge but imagination.",
}


def check_rfc7516_a1():
    c = RFC7516_A1
    j = {k: int.from_bytes(unb64u(v), "big") for k, v in c["jwk"].items() if k != "kty"}
    pub = rsa.RSAPublicNumbers(j["e"], j["n"])
    key = rsa.RSAPrivateNumbers(j["p"], j["q"], j["d"], j["dp"], j["dq"], j["qi"], pub).private_key()
    h, ek, iv, ct, tag = c["compact"].split(".")
    cek = key.decrypt(unb64u(ek), padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None))
    pt = AESGCM(cek).decrypt(unb64u(iv), unb64u(ct) + unb64u(tag), h.encode())
    assert pt.decode() == c["plaintext"]
    return c


def vectors(client):
    opens = []
    for protected, pt in [
        ({"enc": "A128GCM", "alg": "RSA-OAEP-256"}, '{"cardApplyNo":"2022110812081460812345","userId":1}'),
        ({"alg": "RSA-OAEP-256", "enc": "A128GCM"}, "9410123412341234"),
        ({"enc": "A256GCM", "alg": "RSA-OAEP-256"}, '{"mobileCardNo":"9410123412341234"}'),
        ({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "not-a-kona-key-id", "cty": "application/json"}, "{}"),
        ({"enc": "A128GCM", "alg": "RSA-OAEP-256", "cty": "json"}, "1234567890123456789"),
        ({"enc": "A128GCM", "alg": "RSA-OAEP-256"}, ""),
    ]:
        opens.append({"name": "joserfc " + json.dumps(protected), "jwe": joserfc_seal(client, protected, pt.encode()),
                      "plaintext": pt})
    # Marked fields whose JWEs joserfc made: string values plain, others with cty json.
    doc, expected = '{"code":"000_000","mobileCardNo":%s,"par":%s,"limit":%s}', None
    values = ['"9410123412341234"', '"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"', '{"daily":5}']
    jwes = []
    for raw in values:
        v = json.loads(raw)
        if isinstance(v, str):
            jwes.append(joserfc_seal(client, {"enc": "A256GCM", "alg": "RSA-OAEP-256"}, v.encode()))
        else:
            jwes.append(joserfc_seal(client, {"enc": "A128GCM", "alg": "RSA-OAEP-256", "cty": "json"}, raw.encode()))
    fields = {"paths": ["mobileCardNo", "par", "limit"], "sealed": doc % tuple('"%s"' % j for j in jwes),
              "clear": doc % tuple(values)}
    good = opens[0]["jwe"].split(".")

    def flip(part):
        raw = bytearray(unb64u(part))
        raw[len(raw) // 2] ^= 1
        return b64u(bytes(raw))

    refuse = [
        ("tampered encrypted key", ".".join([good[0], flip(good[1])] + good[2:]), "decryption_failed"),
        ("tampered ciphertext", ".".join(good[:3] + [flip(good[3]), good[4]]), "decryption_failed"),
        ("tampered tag", ".".join(good[:4] + [flip(good[4])]), "decryption_failed"),
        ("encrypted key cut short", ".".join([good[0], b64u(unb64u(good[1])[:-3])] + good[2:]), "decryption_failed"),
        ("no encrypted key", ".".join([good[0], ""] + good[2:]), "decryption_failed"),
        ("header swapped to A256GCM", ".".join([b64u(b'{"enc":"A256GCM","alg":"RSA-OAEP-256"}')] + good[1:]), "decryption_failed"),
        ("RSA-OAEP (SHA-1) without opting in", ".".join([b64u(b'{"enc":"A128GCM","alg":"RSA-OAEP"}')] + good[1:]), "unsupported"),
        ("RSA1_5", ".".join([b64u(b'{"enc":"A128GCM","alg":"RSA1_5"}')] + good[1:]), "unsupported"),
    ]
    return opens, fields, [{"name": n, "jwe": j, "expect": e} for n, j, e in refuse]


def main():
    client, server = make_keys()
    opens, fields, refuse = vectors(client)
    doc = {
        "about": "RSA-OAEP-256 JWEs made by joserfc to the test client key (test-vectors/rsa/), RFC 7516 A.1, "
                 "and refusals. Test keys only.",
        "generator": "test-vectors/gen/rsa.py",
        "rfc7516_a1": check_rfc7516_a1(),
        "open": opens,
        "fields": fields,
        "refuse": refuse,
    }
    (OUT / "jwe-rsa.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
