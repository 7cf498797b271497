using System.Globalization;
using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Registry;
using k8s.Models;

namespace Cetus.ApiServer.Kubelets;

/// <summary>
/// The pod subresources the kubelet serves: log (a plain-text stream, chunked while following), and exec, attach
/// and portforward (upgrades proxied to the kubelet). The API server checks the pod and the container first, with
/// kube-apiserver's messages; the kubelet then checks the container's state.
/// </summary>
internal sealed class PodStreamHandlers(ObjectStore objects, KubeletConnector kubelets)
{
    /// <summary>GET pods/NAME/log.</summary>
    public async Task LogAsync(ResourceRequest request)
    {
        var pod = await PodAsync(request).ConfigureAwait(false);
        ValidateLogOptions(request, pod.Metadata.Name);
        var container = ContainerOf(pod, request.Query("container"));
        var http = request.Http;
        if (string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            // Not scheduled yet: no logs anywhere (kube-apiserver answers an empty body).
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/plain";
            return;
        }

        CheckLogStatus(pod, container, request.QueryFlag("previous"));
        var endpoint = await kubelets.EndpointAsync(pod.Spec.NodeName, request.Aborted).ConfigureAwait(false);
        var path = $"/containerLogs/{Escape(request.Namespace)}/{Escape(request.Name)}/{Escape(container)}{http.Request.QueryString.Value}";
        using var response = await kubelets.GetAsync(endpoint, path, request.Aborted).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            // The kubelet's refusal (the container is waiting to start, …) reaches the client as its Status.
            throw await RefusalAsync(response, request.Aborted).ConfigureAwait(false);
        }

        http.Response.StatusCode = (int)response.StatusCode;
        http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain";
        await using var body = await response.Content.ReadAsStreamAsync(request.Aborted).ConfigureAwait(false);
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await body.ReadAsync(buffer, request.Aborted).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), request.Aborted).ConfigureAwait(false);
            // kubectl logs -f shows each line as it comes.
            await http.Response.Body.FlushAsync(request.Aborted).ConfigureAwait(false);
        }
    }

    /// <summary>exec, attach and portforward: the upgrade goes through to the pod's kubelet.</summary>
    public async Task StreamAsync(ResourceRequest request)
    {
        var pod = await PodAsync(request).ConfigureAwait(false);
        var subresource = request.Info.Subresource;
        string kubeletPath;
        if (subresource == "portforward")
        {
            kubeletPath = $"/portForward/{Escape(request.Namespace)}/{Escape(request.Name)}";
        }
        else
        {
            var container = ContainerOf(pod, request.Query("container"));
            if (pod.Status?.Phase is "Succeeded" or "Failed")
            {
                throw Problems.BadRequest($"cannot {subresource} into a container in a completed pod; current phase is {pod.Status.Phase}");
            }

            kubeletPath = $"/{subresource}/{Escape(request.Namespace)}/{Escape(request.Name)}/{Escape(container)}";
        }

        if (string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            throw Problems.BadRequest($"pod {pod.Metadata.Name} does not have a host assigned");
        }

        var endpoint = await kubelets.EndpointAsync(pod.Spec.NodeName, request.Aborted).ConfigureAwait(false);
        await UpgradeProxy.ProxyAsync(request.Http, kubelets, endpoint, kubeletPath + request.Http.Request.QueryString.Value).ConfigureAwait(false);
    }

    private static async Task<ApiException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(text) is System.Text.Json.Nodes.JsonObject { } status
                && (string?)status["kind"] == "Status" && (string?)status["message"] is { } message)
            {
                return new ApiException(Problems.Status((int)response.StatusCode, (string?)status["reason"] ?? "InternalError", message, null));
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
        }

        return Problems.Internal($"the kubelet answered {(int)response.StatusCode}: {text.Trim()}");
    }

    // The kubelet's validateContainerLogStatus, from the status the pod reports: no log to read yet, or no previous one.
    private static void CheckLogStatus(V1Pod pod, string container, bool previous)
    {
        var status = (pod.Status?.ContainerStatuses ?? []).Concat(pod.Status?.InitContainerStatuses ?? []).FirstOrDefault(s => s.Name == container);
        if (status is null)
        {
            return;
        }

        var name = pod.Metadata.Name;
        if (previous)
        {
            if (string.IsNullOrEmpty(status.LastState?.Terminated?.ContainerID))
            {
                throw Problems.BadRequest($"previous terminated container \"{container}\" in pod \"{name}\" not found");
            }

            return;
        }

        if (status.State?.Waiting is { } waiting && status.LastState?.Terminated is null)
        {
            throw Problems.BadRequest(waiting.Reason switch
            {
                "ErrImagePull" => $"container \"{container}\" in pod \"{name}\" is waiting to start: image can't be pulled",
                "ImagePullBackOff" => $"container \"{container}\" in pod \"{name}\" is waiting to start: trying and failing to pull image",
                var reason => $"container \"{container}\" in pod \"{name}\" is waiting to start: {reason}",
            });
        }
    }

    private async Task<V1Pod> PodAsync(ResourceRequest request)
    {
        var stored = await objects.GetAsync(request.Definition, request.Namespace, request.Name, request.Aborted).ConfigureAwait(false)
            ?? throw Problems.NotFound(string.Empty, "pods", request.Name);
        return (V1Pod)stored.Item;
    }

    // kube-apiserver's ValidateContainer: the one container when the pod has one, else the name must be given and exist.
    private static string ContainerOf(V1Pod pod, string? container)
    {
        var containers = pod.Spec?.Containers ?? [];
        var initContainers = pod.Spec?.InitContainers ?? [];
        var ephemeral = pod.Spec?.EphemeralContainers ?? [];
        if (string.IsNullOrEmpty(container))
        {
            switch (containers.Count)
            {
                case 1:
                    return containers[0].Name;
                case 0:
                    throw Problems.BadRequest($"a container name must be specified for pod {pod.Metadata.Name}");
                default:
                    var message = $"a container name must be specified for pod {pod.Metadata.Name}, choose one of: [{string.Join(' ', containers.Select(c => c.Name))}]";
                    if (initContainers.Count > 0)
                    {
                        message += $" or one of the init containers: [{string.Join(' ', initContainers.Select(c => c.Name))}]";
                    }

                    throw Problems.BadRequest(message);
            }
        }

        return containers.Any(c => c.Name == container) || initContainers.Any(c => c.Name == container) || ephemeral.Any(c => c.Name == container)
            ? container
            : throw Problems.BadRequest($"container {container} is not valid for pod {pod.Metadata.Name}");
    }

    // kube-apiserver's PodLogOptions validation: numbers that parse, in range, and at most one "since".
    private static void ValidateLogOptions(ResourceRequest request, string podName)
    {
        var errors = new List<FieldError>();
        long? Number(string name)
        {
            var text = request.Query(name);
            if (text is null)
            {
                return null;
            }

            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Problems.BadRequest($"unable to parse query parameter {name}: strconv.ParseInt: parsing \"{text}\": invalid syntax");
        }

        if (Number("tailLines") is < 0 and var tail)
        {
            errors.Add(FieldErrors.Invalid(FieldPath.Root("tailLines"), tail, "must be greater than or equal to 0"));
        }

        if (Number("limitBytes") is < 1 and var limit)
        {
            errors.Add(FieldErrors.Invalid(FieldPath.Root("limitBytes"), limit, "must be greater than 0"));
        }

        var sinceSeconds = Number("sinceSeconds");
        if (sinceSeconds is < 1)
        {
            errors.Add(FieldErrors.Invalid(FieldPath.Root("sinceSeconds"), sinceSeconds, "must be greater than 0"));
        }

        if (request.Query("sinceTime") is { } sinceTime)
        {
            if (!DateTimeOffset.TryParse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                throw Problems.BadRequest($"unable to parse query parameter sinceTime: parsing time \"{sinceTime}\" as RFC3339");
            }

            if (sinceSeconds is not null)
            {
                errors.Add(FieldErrors.Forbidden(FieldPath.Root("sinceSeconds"), "at most one of `sinceTime` or `sinceSeconds` may be specified"));
            }
        }

        if (errors.Count > 0)
        {
            throw Problems.Invalid(string.Empty, "PodLogOptions", podName, errors);
        }
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
