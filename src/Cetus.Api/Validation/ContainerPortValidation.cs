using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>A container's ports: unique valid names, port numbers in range, a supported protocol.</summary>
internal static class ContainerPortValidation
{
    /// <summary>The protocols of container and service ports, in the order Kubernetes lists them.</summary>
    public static readonly IReadOnlyList<string> Protocols = ["SCTP", "TCP", "UDP"];

    public static IEnumerable<FieldError> Ports(IList<V1ContainerPort>? ports, FieldPath path)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (ports?.Count ?? 0); i++)
        {
            var port = ports![i];
            var itemPath = path.Index(i);
            if (!string.IsNullOrEmpty(port.Name))
            {
                var messages = Validation.Ports.CheckName(port.Name);
                if (messages.Count > 0)
                {
                    foreach (var message in messages)
                    {
                        yield return FieldErrors.Invalid(itemPath.Child("name"), port.Name, message);
                    }
                }
                else if (!names.Add(port.Name))
                {
                    yield return FieldErrors.Duplicate(itemPath.Child("name"), port.Name);
                }
            }

            if (port.ContainerPort == 0)
            {
                yield return FieldErrors.Required(itemPath.Child("containerPort"));
            }
            else
            {
                foreach (var message in Validation.Ports.CheckNumber(port.ContainerPort))
                {
                    yield return FieldErrors.Invalid(itemPath.Child("containerPort"), port.ContainerPort, message);
                }
            }

            if (port.HostPort is { } hostPort and not 0)
            {
                foreach (var message in Validation.Ports.CheckNumber(hostPort))
                {
                    yield return FieldErrors.Invalid(itemPath.Child("hostPort"), hostPort, message);
                }
            }

            foreach (var error in Protocol(port.Protocol, itemPath.Child("protocol")))
            {
                yield return error;
            }
        }
    }

    /// <summary>Required, and one of SCTP, TCP, UDP.</summary>
    public static IEnumerable<FieldError> Protocol(string? protocol, FieldPath path)
    {
        if (string.IsNullOrEmpty(protocol))
        {
            yield return FieldErrors.Required(path);
        }
        else if (!Protocols.Contains(protocol))
        {
            yield return FieldErrors.NotSupported(path, protocol, Protocols);
        }
    }

    /// <summary>No two containers of the list may take the same host port, protocol and host IP.</summary>
    public static IEnumerable<FieldError> HostPortConflicts(IEnumerable<(V1Container Container, int Index)> containers, FieldPath path)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (container, index) in containers)
        {
            for (var i = 0; i < (container.Ports?.Count ?? 0); i++)
            {
                var port = container.Ports![i];
                if (port.HostPort is null or 0)
                {
                    continue;
                }

                var key = $"{port.Protocol}/{port.HostIP}/{port.HostPort}";
                if (!taken.Add(key))
                {
                    yield return FieldErrors.Duplicate(path.Index(index).Child("ports").Index(i).Child("hostPort"), key);
                }
            }
        }
    }
}
