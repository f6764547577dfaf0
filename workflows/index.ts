// The workflows the worker bundles. Workflow type names are these export names.
export { message } from './message.js';
export { otp } from './otp.js';
export { campaign } from './campaign.js';
export { retention } from './retention.js';
export { inboxPoll } from './inbox-poll.js';
