using System.Text.RegularExpressions;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Probes and lifecycle hooks: exactly one handler, each handler's own rules, sane timings.</summary>
internal static partial class ProbeValidation
{
    private static readonly IReadOnlyList<string> Schemes = ["HTTP", "HTTPS"];

    public static IEnumerable<FieldError> Liveness(V1Probe? probe, long? gracePeriod, FieldPath path) => SingleSuccess(probe, gracePeriod, path);

    public static IEnumerable<FieldError> Startup(V1Probe? probe, long? gracePeriod, FieldPath path) => SingleSuccess(probe, gracePeriod, path);

    public static IEnumerable<FieldError> Readiness(V1Probe? probe, long? gracePeriod, FieldPath path)
    {
        if (probe is null)
        {
            return [];
        }

        var errors = Probe(probe, gracePeriod, path).ToList();
        if (probe.TerminationGracePeriodSeconds is { } seconds)
        {
            errors.Add(FieldErrors.Invalid(path.Child("terminationGracePeriodSeconds"), seconds, "must not be set for readinessProbes"));
        }

        return errors;
    }

    public static IEnumerable<FieldError> Lifecycle(V1Lifecycle lifecycle, long? gracePeriod, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (lifecycle.PostStart is { } postStart)
        {
            errors.AddRange(Handler(postStart.Exec, postStart.HttpGet, postStart.TcpSocket, null, postStart.Sleep, gracePeriod, path.Child("postStart")));
        }

        if (lifecycle.PreStop is { } preStop)
        {
            errors.AddRange(Handler(preStop.Exec, preStop.HttpGet, preStop.TcpSocket, null, preStop.Sleep, gracePeriod, path.Child("preStop")));
        }

        return errors;
    }

    private static IEnumerable<FieldError> SingleSuccess(V1Probe? probe, long? gracePeriod, FieldPath path)
    {
        if (probe is null)
        {
            return [];
        }

        var errors = Probe(probe, gracePeriod, path).ToList();
        if ((probe.SuccessThreshold ?? 0) != 1)
        {
            errors.Add(FieldErrors.Invalid(path.Child("successThreshold"), probe.SuccessThreshold ?? 0, "must be 1"));
        }

        return errors;
    }

    private static IEnumerable<FieldError> Probe(V1Probe probe, long? gracePeriod, FieldPath path)
    {
        var errors = Handler(probe.Exec, probe.HttpGet, probe.TcpSocket, probe.Grpc, null, gracePeriod, path).ToList();
        errors.AddRange(FieldErrors.NonNegative(probe.InitialDelaySeconds ?? 0, path.Child("initialDelaySeconds")));
        errors.AddRange(FieldErrors.NonNegative(probe.TimeoutSeconds ?? 0, path.Child("timeoutSeconds")));
        errors.AddRange(FieldErrors.NonNegative(probe.PeriodSeconds ?? 0, path.Child("periodSeconds")));
        errors.AddRange(FieldErrors.NonNegative(probe.SuccessThreshold ?? 0, path.Child("successThreshold")));
        errors.AddRange(FieldErrors.NonNegative(probe.FailureThreshold ?? 0, path.Child("failureThreshold")));
        if (probe.TerminationGracePeriodSeconds is <= 0)
        {
            errors.Add(FieldErrors.Invalid(path.Child("terminationGracePeriodSeconds"), probe.TerminationGracePeriodSeconds.Value, "must be greater than 0"));
        }

        return errors;
    }

    private static IEnumerable<FieldError> Handler(
        V1ExecAction? exec, V1HTTPGetAction? httpGet, V1TCPSocketAction? tcpSocket, V1GRPCAction? grpc, V1SleepAction? sleep, long? gracePeriod, FieldPath path)
    {
        var errors = new List<FieldError>();
        var handlers = new (string Field, object? Value, Func<FieldPath, IEnumerable<FieldError>> Check)[]
        {
            ("exec", exec, p => Exec(exec!, p)),
            ("httpGet", httpGet, p => HttpGet(httpGet!, p)),
            ("tcpSocket", tcpSocket, p => Ports.CheckNumberOrName(tcpSocket!.Port, p.Child("port"))),
            ("grpc", grpc, p => Ports.CheckNumber(grpc!.Port).Select(m => FieldErrors.Invalid(p.Child("port"), grpc.Port, m))),
            ("sleep", sleep, p => Sleep(sleep!, gracePeriod, p)),
        };
        var count = 0;
        foreach (var (field, value, check) in handlers)
        {
            if (value is null)
            {
                continue;
            }

            if (count > 0)
            {
                errors.Add(FieldErrors.Forbidden(path.Child(field), "may not specify more than 1 handler type"));
                continue;
            }

            count++;
            errors.AddRange(check(path.Child(field)));
        }

        if (count == 0)
        {
            errors.Add(FieldErrors.Required(path, "must specify a handler type"));
        }

        return errors;
    }

    private static IEnumerable<FieldError> Exec(V1ExecAction exec, FieldPath path)
    {
        if ((exec.Command?.Count ?? 0) == 0)
        {
            yield return FieldErrors.Required(path.Child("command"));
        }
    }

    private static IEnumerable<FieldError> HttpGet(V1HTTPGetAction action, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(action.Path))
        {
            errors.Add(FieldErrors.Required(path.Child("path")));
        }

        errors.AddRange(Ports.CheckNumberOrName(action.Port, path.Child("port")));
        if (!Schemes.Contains(action.Scheme ?? ""))
        {
            errors.Add(FieldErrors.NotSupported(path.Child("scheme"), action.Scheme ?? "", Schemes));
        }

        foreach (var header in action.HttpHeaders ?? [])
        {
            if (!HeaderName().IsMatch(header.Name ?? ""))
            {
                errors.Add(FieldErrors.Invalid(path.Child("httpHeaders"), header.Name ?? "",
                    ValidationText.Regex("a valid HTTP header must consist of alphanumeric characters or '-'", "[-A-Za-z0-9]+", "X-Header-Name")));
            }
        }

        return errors;
    }

    // Kubernetes 1.32 does not enable PodLifecycleSleepActionAllowZero, hence the pointer to that gate.
    private static IEnumerable<FieldError> Sleep(V1SleepAction sleep, long? gracePeriod, FieldPath path)
    {
        if (gracePeriod is { } grace && (sleep.Seconds <= 0 || sleep.Seconds > grace))
        {
            yield return FieldErrors.Invalid(path, sleep.Seconds,
                $"must be greater than 0 and less than terminationGracePeriodSeconds ({grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.");
        }
    }

    [GeneratedRegex("^[-A-Za-z0-9]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderName();
}
