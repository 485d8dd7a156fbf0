namespace VideoConv.Core;

/// <summary>A filter definition that cannot be applied: bad kernel, bad geometry, an output that would be empty.</summary>
public class FilterDefinitionException(string message) : Exception(message)
{
    /// <summary>The filter-file key the problem is about (<c>stride</c>, <c>anchor</c>, …), when one is; readers locate the error by it.</summary>
    public string? Key { get; init; }
}
