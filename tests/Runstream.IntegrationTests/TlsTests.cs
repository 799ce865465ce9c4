using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>Ingest over TLS with a certificate from a private CA: the SDK verifies it, trusting the CA it is given.</summary>
[Collection(StackCollection.Name)]
public sealed class TlsTests(StackFixture stack)
{
    [Fact]
    public async Task The_sdk_streams_over_tls_when_it_trusts_the_ca_and_refuses_a_server_it_cannot_verify()
    {
        var folder = Directory.CreateTempSubdirectory("runstream-tls-").FullName;
        var (caFile, certificateFile, keyFile) = MakeCertificates(folder);
        var url = await stack.StartIngestAsync("ingest-tls", "https", new Dictionary<string, string>
        {
            ["Kestrel__Certificates__Default__Path"] = certificateFile,
            ["Kestrel__Certificates__Default__KeyPath"] = keyFile,
        });
        var project = StackFixture.NewProject("tls");

        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Url = url, CaCertificatePath = caFile }))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
            Assert.True((await run.FinishAsync()).Complete);
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", "the run sent over TLS");

        // Without the CA the certificate cannot be verified: nothing is sent, everything stays spooled.
        var warnings = new List<string>();
        await using var untrusting = await Experiment.InitAsync(stack.Settings(project) with
        {
            Url = url,
            FinishTimeout = TimeSpan.FromSeconds(2),
            SpoolDirectory = Directory.CreateTempSubdirectory().FullName,
            Warn = message => { lock (warnings) warnings.Add(message); },
        });
        untrusting.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
        var refused = await untrusting.FinishAsync();
        Assert.False(refused.Complete);
        lock (warnings)
            Assert.Contains(warnings, w => w.Contains("SSL", StringComparison.OrdinalIgnoreCase) || w.Contains("certificate", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A CA, and a certificate it signs for 127.0.0.1 and localhost, as PEM files.</summary>
    private static (string Ca, string Certificate, string Key) MakeCertificates(string folder)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Runstream Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(2));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);

        var files = (Path.Combine(folder, "ca.pem"), Path.Combine(folder, "server.pem"), Path.Combine(folder, "server.key"));
        File.WriteAllText(files.Item1, ca.ExportCertificatePem());
        File.WriteAllText(files.Item2, server.ExportCertificatePem());
        File.WriteAllText(files.Item3, serverKey.ExportPkcs8PrivateKeyPem());
        return files;
    }
}
