using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Runstream.Client.Uplink;

/// <summary>
/// Trusts a private certificate authority in addition to the system's: a server certificate is
/// accepted when the system trusts it, or when its chain ends at the given CA and its name matches.
/// </summary>
internal static class PrivateAuthority
{
    public static RemoteCertificateValidationCallback? Validator(string? caFile)
    {
        if (string.IsNullOrEmpty(caFile))
            return null;
        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
                return true;
            // A name mismatch or a missing certificate is never forgiven; only the unknown root is.
            if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
    }
}
