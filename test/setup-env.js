// Keep the SDK and metrics libraries from probing instance metadata during tests.
process.env.AWS_EMF_ENVIRONMENT ??= 'Local';
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
