namespace VideoConv.Core;

/// <summary>A filter definition that cannot be applied: bad kernel, bad geometry, an output that would be empty.</summary>
public class FilterDefinitionException(string message) : Exception(message);
