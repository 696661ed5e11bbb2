// What Step Functions needs, with a state machine's role, to deliver its execution log to
// CloudWatch Logs (Step Functions Developer Guide, "IAM policies for logging to CloudWatch
// Logs"). None of these actions takes a narrower resource than `*`.
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
