/// Fixed RSA-2048 test key material, generated once with Python `cryptography`
/// 48.0 (`rsa.generate_private_key(65537, 2048)`, PKCS#8 PEM; a self-signed
/// `x509.CertificateBuilder` certificate over the same key). Test-only, used
/// nowhere else. The expected signatures were computed by Python over the
/// section 8.3 messages, so matching them checks Swift against an independent
/// PKCS#1 v1.5 implementation without running Python.
enum TestKeys {
    static let merchantPrivateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCqctle68doi2hS
JLhUpr2aGMQsrMerbdHoQYZR3NX2Ply1xfheVxUoNpE3XNWzx8NRz7Fln3v8/ZmG
6kb10FU4QLw7uJfoy4lzlF1dahD3GQX+jBosJgyq/zlzNWuSgFq7SpfgxeQxZOif
CGZFwH3hBWbJK2BKdbSKl9OtzntZdBjEz1i4hUKIjokAuDlf+ciPP4uzfyGPMZhL
ZP6atbeZDtAd3AEGSk/HpW7XG6pE9xrXwYIyoB73AQJrjYVu+olwGIU4knJkdUZD
BOrFD7R5pIUhHFhaa0IVHxLQPpfnIPrGQ+AjB4ql8ONEv+Cyr1DOJF7eCs7+QZri
ro0X5Tm1AgMBAAECggEAA90p+6fhU7JirAdfEl7b9M6o69EC5GpPPtz1ZuJYYLEA
jbJY3gf1V9MHhGIbX2xLi42SGkP88zrrLGQf4FoCWeMbIUjJpiJZvFVZryYaD6/x
My2z44T9S9xl+KxLraeGkbEFiQ0+DgyZOrmzBSkcRr9GRDsyf0hJznaApZ5aV33B
FMNPoNkYIUKJBbNSLsnu3ErBhkWrjYrMg6hdv7bkdZ23O2k+sgc9YyXniE7vKtA9
LMuKDcn+YAW2HDvrq1m31qixq1WuVX2gdRMaRREjGDxCGlqv3Q1wOEct3iGzhVkT
+KDGxWQSShCge032wkWErhnk71fuvK9EFHJDGfvzpQKBgQDmHLx4yzaK24Vfnn67
W1nTnTK90jRdUSuUed6ja4TlE0+l66Vsb6G5WelBFaipmpugogjIpZT4s/H8/Co3
ODWsRFDVdzYKKuu9VhSMXqqRXeYG1woWqd/NZh9G8+U8/SKMXvKOaBylkX3LFFTk
5F6HQAtygo5hkg65i6aXFq8lcwKBgQC9n8rlLxBmvhhVgz/jUb5m3PqgyV1Kqt1l
jmaUm7HplQ1r01vW0xgeFlJu9+CRvT3mISaSYRhyXTxCYs3BGaOEesev+ukhFlWt
czB3pLPMiv9lqGuXmpvkvG2mTOLrw3b+2ktG5yv4LuKoxZB6wpujFHXLO3Vn+X69
FsG8Lg+aNwKBgQDkdV9BZjAOiIfQOSGFjdqO2CFKiGnow+/Kh3xdLyBP9m47QsuH
7wTXasbEEWbUjGU6g+TIoGxYxv7XttuK20mecGz4olSKn7ZQ0iewfURG8ryvycuA
WMOTv3IKFZdgh8lHJ/UVIZRfZSVI/DSU045uJU24MJp/kG0CFf4dPy5AtQKBgGIb
7uotM5s093om8kM25ABsjO/rv20Ggo4s4z44YBCuoccMEBRSG8RVYEkxzusYspIC
zOYnfnKNcsQWQsaJ8WR18iNG+p+34pRfaNA+UxidQg7i2OgTgl0ScNj+Jto8w7CQ
WSpSKRm7iGIx9dLOJaB20YtZNCGboMtMnugyHLh5AoGAEuoif0yA7Ur+ipBGIRLF
UrsiovM4A7hkWpQNhFsg7zQ4faHPoQhsT7anutm0irr0zU8h3A2B7VjI0rKjYe1r
2ZEXTVJaakX8K2aSk/p+8hI87vBA/Iww7xCVXg32oum13r0rk9yU+CZ6I8M/UBDB
TaOlKCXT7HReqtaYtvZsVpA=
-----END PRIVATE KEY-----
"""

    static let merchantPublicKeyPEM = """
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqnLZXuvHaItoUiS4VKa9
mhjELKzHq23R6EGGUdzV9j5ctcX4XlcVKDaRN1zVs8fDUc+xZZ97/P2ZhupG9dBV
OEC8O7iX6MuJc5RdXWoQ9xkF/owaLCYMqv85czVrkoBau0qX4MXkMWTonwhmRcB9
4QVmyStgSnW0ipfTrc57WXQYxM9YuIVCiI6JALg5X/nIjz+Ls38hjzGYS2T+mrW3
mQ7QHdwBBkpPx6Vu1xuqRPca18GCMqAe9wECa42FbvqJcBiFOJJyZHVGQwTqxQ+0
eaSFIRxYWmtCFR8S0D6X5yD6xkPgIweKpfDjRL/gsq9QziRe3grO/kGa4q6NF+U5
tQIDAQAB
-----END PUBLIC KEY-----
"""

    /// Self-signed over the same key; serial 0x5157F09EFDC096DE15EBE81A47057A7232F2B0FF.
    static let platformCertificatePEM = """
-----BEGIN CERTIFICATE-----
MIIC0DCCAbigAwIBAgIUUVfwnv3Alt4V6+gaRwV6cjLysP8wDQYJKoZIhvcNAQEL
BQAwIjEgMB4GA1UEAwwXVGVucGF5LmNvbSBSb290IENBIHRlc3QwHhcNMjQwMTAx
MDAwMDAwWhcNMzQwMTAxMDAwMDAwWjAiMSAwHgYDVQQDDBdUZW5wYXkuY29tIFJv
b3QgQ0EgdGVzdDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKpy2V7r
x2iLaFIkuFSmvZoYxCysx6tt0ehBhlHc1fY+XLXF+F5XFSg2kTdc1bPHw1HPsWWf
e/z9mYbqRvXQVThAvDu4l+jLiXOUXV1qEPcZBf6MGiwmDKr/OXM1a5KAWrtKl+DF
5DFk6J8IZkXAfeEFZskrYEp1tIqX063Oe1l0GMTPWLiFQoiOiQC4OV/5yI8/i7N/
IY8xmEtk/pq1t5kO0B3cAQZKT8elbtcbqkT3GtfBgjKgHvcBAmuNhW76iXAYhTiS
cmR1RkME6sUPtHmkhSEcWFprQhUfEtA+l+cg+sZD4CMHiqXw40S/4LKvUM4kXt4K
zv5BmuKujRflObUCAwEAATANBgkqhkiG9w0BAQsFAAOCAQEACmU64jByVUO7x4St
kxI6d1lXguK/xXeTJ37XHmQ74QNRe5XujnBRCaYXbzDPVntr+JDg4nPdG3IYxhgH
O0G7zAtqs9xS7/NzyrxtyN9NwX7cO9bLblqtb8n1VWTUa7xFoLQ493T5PrWHaXyI
DdM218H5H1dwmfprAwHafHRdduGkyX3Xb5eHaRv+73l5xbkNk/C2jF23kmnPQJMF
Vg1HAA/8wRrpLEOOo7yaJCMuweT0EhWfdBVY6EoArmpjGQ1PiihuzJcESX9irF4g
yXD74EF9v6xzogFm1YjhYbpth5vmI1ZVnVTkC1YprmeMa3JG2bmY8brC9XaoG6z7
HI5dwg==
-----END CERTIFICATE-----
"""
    static let platformCertificateSerial = "5157F09EFDC096DE15EBE81A47057A7232F2B0FF"

    /// Python: `key.sign(b"POST\n/v3/pay/transactions/jsapi\n1700000000\nNONCE\n{}\n", PKCS1v15(), SHA256())`.
    static let requestVectorSignature =
        "YY8tPRBZo5wyyuBCYVLanCO+3CSEKq/F/maS27L2mM6I2wcchW4aO6pmVt9hwhZSyZvuYk2Muz7BPCty3zKL9EioFSk3yMq616I3DDj4NilkRSIlHTKrr/5CtWsXw98P64tK8ARe2YBPeNaOijsBrCUn0yobTw3ODbfhhsNvnbZvpk2NXu9wTp5UGRUG3XusnKPPRCxy2MBd7XqRAdR1AnUjsAuLiXLU922ppszNkd0z7cBsVq5HDzMslkXfPI5i2D1dEQ3ib3HSS8ECQiiMgAQUYFnyvLFRya/uI/ciHKilBdriT/4HY6gXx3dvrj5essII6JPTXwzjs9lCmMHh8g=="

    /// Python: the same over the section 8.3 paySign message.
    static let paySignVectorSignature =
        "esI9rXG4aPkYQZKiUJdSH9T70H4yY49iuQcEqYYtWBBt6Or2s3ppCt9fTttRFXeSn5oTlNHbR07B2fSlsTPBTcO4pyToC226Qyh81PRBp1v82tYDUKE4nPxVa0p9mASJiBzIgYm9GI8pAbH9b+8f7NjICsfbCSdLiEIZy6ylvgmTVC6HB6ln8HmuY4kh8eJUr/oGxunHQLcXGLoub7JQvhpUTyT2xRONcZA3bRr2KMAFVGmtOpdO0v2kK/KELQ/pz9ZFWDQoRrBEp9Uh1zEaWkvZmiASVMlNlCHSOXDRFhOVHdszoIRhE21GuUAt90Lo3E9gPhnwNI5fqFCfDi3XMQ=="
}
