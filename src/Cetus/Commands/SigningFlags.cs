using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Cetus.Controllers;
using Cetus.Controllers.CertificateSigning;
using Cetus.Controllers.Common;

namespace Cetus.Commands;

/// <summary>
/// kube-controller-manager's CSR signing flags, shared by <c>cetus controller-manager</c>, <c>cetus server</c> and
/// <c>cetus up</c>: one CA for every built-in signer (<c>--cluster-signing-cert-file</c>/<c>-key-file</c>) or one per
/// signer (<c>--cluster-signing-kubelet-client-cert-file</c>, …; not together with the first), and the longest
/// lifetime of what they sign (<c>--cluster-signing-duration</c>, 8760h).
/// </summary>
internal sealed class SigningFlags
{
    private readonly Option<string?> _certFile = new("--cluster-signing-cert-file") { Description = "A PEM CA certificate to sign the built-in signers' certificates with (cetus server: default the cluster CA of the data directory; the standalone controller manager signs nothing without it or a per-signer file)." };
    private readonly Option<string?> _keyFile = new("--cluster-signing-key-file") { Description = "The PEM private key of --cluster-signing-cert-file." };
    private readonly (string Signer, Option<string?> Cert, Option<string?> Key)[] _perSigner =
    [
        Pair(CertificateRequests.KubeletServingSigner, "kubelet-serving"),
        Pair(CertificateRequests.KubeletClientSigner, "kubelet-client"),
        Pair(CertificateRequests.ClientSigner, "kube-apiserver-client"),
    ];

    private readonly Option<string> _duration = new("--cluster-signing-duration") { Description = "The longest lifetime of a signed certificate, and its lifetime when the request asks none (spec.expirationSeconds may ask less, at least 10m).", DefaultValueFactory = _ => "8760h0m0s" };

    /// <summary>Adds the flags and their checks to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_certFile);
        command.Options.Add(_keyFile);
        foreach (var (_, cert, key) in _perSigner)
        {
            command.Options.Add(cert);
            command.Options.Add(key);
        }

        command.Options.Add(_duration);
        command.Validators.Add(result =>
        {
            var generic = Given(result, _certFile) || Given(result, _keyFile);
            var perSigner = false;
            foreach (var (cert, key) in _perSigner.Select(p => (p.Cert, p.Key)).Prepend((_certFile, _keyFile)))
            {
                if (Given(result, cert) != Given(result, key))
                {
                    result.AddError($"{cert.Name} and {key.Name} must be given together");
                }

                perSigner |= cert != _certFile && (Given(result, cert) || Given(result, key));
            }

            if (generic && perSigner)
            {
                // kube-controller-manager's own rule: which CA signs what must not depend on precedence.
                result.AddError("cannot specify --cluster-signing-{cert,key}-file and other --cluster-signing-*-file flags at the same time");
            }

            if (result.GetResult(_duration) is { } duration)
            {
                var text = duration.GetValueOrDefault<string>() ?? string.Empty;
                if (TokenCommand.ParseDuration(text) is not { } parsed)
                {
                    result.AddError($"--cluster-signing-duration: \"{text}\" is not a duration (e.g. 8760h, 24h, 90m)");
                }
                else if (parsed <= TimeSpan.Zero)
                {
                    result.AddError("--cluster-signing-duration must be positive");
                }
            }
        });
    }

    /// <summary>The files and duration asked for.</summary>
    public SigningSettings Read(ParseResult parseResult) => new(
        parseResult.GetValue(_certFile) is { } cert ? (cert, parseResult.GetValue(_keyFile)!) : null,
        _perSigner
            .Where(p => parseResult.GetValue(p.Cert) is not null)
            .ToDictionary(p => p.Signer, p => (parseResult.GetValue(p.Cert)!, parseResult.GetValue(p.Key)!)),
        TokenCommand.ParseDuration(parseResult.GetValue(_duration)!) ?? CertificateSigner.DefaultDuration);

    private static (string Signer, Option<string?> Cert, Option<string?> Key) Pair(string signer, string flag) => (
        signer,
        new Option<string?>($"--cluster-signing-{flag}-cert-file") { Description = $"A PEM CA certificate to sign {signer} certificates with." },
        new Option<string?>($"--cluster-signing-{flag}-key-file") { Description = $"The PEM private key of --cluster-signing-{flag}-cert-file." });

    private static bool Given(System.CommandLine.Parsing.CommandResult result, Option<string?> option) => result.GetResult(option) is not null;
}

/// <summary>The signing CA files (certificate, key) asked for, and the signing duration.</summary>
internal sealed record SigningSettings((string Cert, string Key)? Default, IReadOnlyDictionary<string, (string Cert, string Key)> PerSigner, TimeSpan Duration)
{
    /// <summary>
    /// Loads the files into <paramref name="options"/>: the default CA (<paramref name="fallback"/> when no file names
    /// one: the cluster CA for <c>cetus server</c>, none for the standalone controller manager), the per-signer CAs
    /// and the duration. Throws <see cref="InvalidDataException"/> naming a file that cannot be used.
    /// </summary>
    public ControllerManagerOptions Apply(ControllerManagerOptions options, X509Certificate2? fallback)
    {
        ArgumentNullException.ThrowIfNull(options);
        var perSigner = PerSigner.ToDictionary(p => p.Key, p => SigningAuthority.Load(p.Value.Cert, p.Value.Key));
        var ca = Default is { } files ? SigningAuthority.Load(files.Cert, files.Key) : fallback;
        return options with { ClusterSigningCertificate = ca, SignerCertificates = perSigner, ClusterSigningDuration = Duration };
    }
}
