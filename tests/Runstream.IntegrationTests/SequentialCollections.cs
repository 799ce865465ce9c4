// The test collections share PostgreSQL, RabbitMQ and two cores: the stack's chaos test restarts the
// servers another collection would be using, so collections run one after another.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
