/* eslint-disable */
/** The product a connection integrates with (Okta, AWS, GitHub, ...): Drata's `ClientTypeEnum`. */
export const DrataClientType = {
  /** Drata client type `AIKIDO`. */
  AIKIDO: 'AIKIDO',
  /** Drata client type `APIDECK`. */
  APIDECK: 'APIDECK',
  /** Drata client type `ASANA`. */
  ASANA: 'ASANA',
  /** Drata client type `ATLASSIAN`. */
  ATLASSIAN: 'ATLASSIAN',
  /** Drata client type `AUTH0`. */
  AUTH0: 'AUTH0',
  /** Drata client type `AWS`. */
  AWS: 'AWS',
  /** Drata client type `AWS_CODECOMMIT`. */
  AWS_CODECOMMIT: 'AWS_CODECOMMIT',
  /** Drata client type `AWS_GOV_CLOUD`. */
  AWS_GOV_CLOUD: 'AWS_GOV_CLOUD',
  /** Drata client type `AWS_INSPECTOR`. */
  AWS_INSPECTOR: 'AWS_INSPECTOR',
  /** Drata client type `AWS_ORG_UNITS`. */
  AWS_ORG_UNITS: 'AWS_ORG_UNITS',
  /** Drata client type `AZURE`. */
  AZURE: 'AZURE',
  /** Drata client type `AZURE_BOARDS`. */
  AZURE_BOARDS: 'AZURE_BOARDS',
  /** Drata client type `AZURE_DEVOPS`. */
  AZURE_DEVOPS: 'AZURE_DEVOPS',
  /** Drata client type `AZURE_ENTRA_ID`. */
  AZURE_ENTRA_ID: 'AZURE_ENTRA_ID',
  /** Drata client type `AZURE_GCC_HIGH`. */
  AZURE_GCC_HIGH: 'AZURE_GCC_HIGH',
  /** Drata client type `AZURE_MG_GCC_HIGH`. */
  AZURE_MG_GCC_HIGH: 'AZURE_MG_GCC_HIGH',
  /** Drata client type `AZURE_ORG_UNITS`. */
  AZURE_ORG_UNITS: 'AZURE_ORG_UNITS',
  /** Drata client type `AZURE_REPOS`. */
  AZURE_REPOS: 'AZURE_REPOS',
  /** Drata client type `BAMBOO_HR`. */
  BAMBOO_HR: 'BAMBOO_HR',
  /** Drata client type `BITBUCKET`. */
  BITBUCKET: 'BITBUCKET',
  /** Drata client type `BITBUCKET_CODE`. */
  BITBUCKET_CODE: 'BITBUCKET_CODE',
  /** Drata client type `CERTN`. */
  CERTN: 'CERTN',
  /** Drata client type `CHECKR`. */
  CHECKR: 'CHECKR',
  /** Drata client type `CLICKUP`. */
  CLICKUP: 'CLICKUP',
  /** Drata client type `CLOUDFLARE`. */
  CLOUDFLARE: 'CLOUDFLARE',
  /** Drata client type `CONFLUENCE`. */
  CONFLUENCE: 'CONFLUENCE',
  /** Drata client type `COVERDASH`. */
  COVERDASH: 'COVERDASH',
  /** Drata client type `CROWDSTRIKE`. */
  CROWDSTRIKE: 'CROWDSTRIKE',
  /** Drata client type `CSV_IDP`. */
  CSV_IDP: 'CSV_IDP',
  /** Drata client type `CURRICULA`. */
  CURRICULA: 'CURRICULA',
  /** Drata client type `CUSTOM`. */
  CUSTOM: 'CUSTOM',
  /** Drata client type `CUSTOM_HRIS`. */
  CUSTOM_HRIS: 'CUSTOM_HRIS',
  /** Drata client type `CUSTOM_MDM`. */
  CUSTOM_MDM: 'CUSTOM_MDM',
  /** Drata client type `CUSTOM_XFA`. */
  CUSTOM_XFA: 'CUSTOM_XFA',
  /** Drata client type `DATADOG`. */
  DATADOG: 'DATADOG',
  /** Drata client type `DIGITAL_OCEAN`. */
  DIGITAL_OCEAN: 'DIGITAL_OCEAN',
  /** Drata client type `DOCUSIGN`. */
  DOCUSIGN: 'DOCUSIGN',
  /** Drata client type `FIBERY`. */
  FIBERY: 'FIBERY',
  /** Drata client type `FIELDGUIDE`. */
  FIELDGUIDE: 'FIELDGUIDE',
  /** Drata client type `GCP`. */
  GCP: 'GCP',
  /** Drata client type `GITHUB`. */
  GITHUB: 'GITHUB',
  /** Drata client type `GITHUB_ACTIONS`. */
  GITHUB_ACTIONS: 'GITHUB_ACTIONS',
  /** Drata client type `GITHUB_CODE`. */
  GITHUB_CODE: 'GITHUB_CODE',
  /** Drata client type `GITHUB_ENTERPRISE`. */
  GITHUB_ENTERPRISE: 'GITHUB_ENTERPRISE',
  /** Drata client type `GITHUB_ISSUES`. */
  GITHUB_ISSUES: 'GITHUB_ISSUES',
  /** Drata client type `GITHUB_ISSUES_ENTERPRISE`. */
  GITHUB_ISSUES_ENTERPRISE: 'GITHUB_ISSUES_ENTERPRISE',
  /** Drata client type `GITLAB`. */
  GITLAB: 'GITLAB',
  /** Drata client type `GITLAB_ISSUES`. */
  GITLAB_ISSUES: 'GITLAB_ISSUES',
  /** Drata client type `GITLAB_ISSUES_ON_PREM`. */
  GITLAB_ISSUES_ON_PREM: 'GITLAB_ISSUES_ON_PREM',
  /** Drata client type `GITLAB_ON_PREM`. */
  GITLAB_ON_PREM: 'GITLAB_ON_PREM',
  /** Drata client type `GOODHIRE`. */
  GOODHIRE: 'GOODHIRE',
  /** Drata client type `GOOGLE`. */
  GOOGLE: 'GOOGLE',
  /** Drata client type `GOOGLE_ADMIN_CONSOLE`. */
  GOOGLE_ADMIN_CONSOLE: 'GOOGLE_ADMIN_CONSOLE',
  /** Drata client type `GOOGLE_ADMIN_CONSOLE_OAUTH`. */
  GOOGLE_ADMIN_CONSOLE_OAUTH: 'GOOGLE_ADMIN_CONSOLE_OAUTH',
  /** Drata client type `GOOGLE_CLOUD_IDENTITY`. */
  GOOGLE_CLOUD_IDENTITY: 'GOOGLE_CLOUD_IDENTITY',
  /** Drata client type `GOOGLE_OAUTH`. */
  GOOGLE_OAUTH: 'GOOGLE_OAUTH',
  /** Drata client type `GUSTO`. */
  GUSTO: 'GUSTO',
  /** Drata client type `HEROKU`. */
  HEROKU: 'HEROKU',
  /** Drata client type `HEXNODE_UEM`. */
  HEXNODE_UEM: 'HEXNODE_UEM',
  /** Drata client type `HIRERIGHT`. */
  HIRERIGHT: 'HIRERIGHT',
  /** Drata client type `HUBSPOT`. */
  HUBSPOT: 'HUBSPOT',
  /** Drata client type `HYPERCOMPLY`. */
  HYPERCOMPLY: 'HYPERCOMPLY',
  /** Drata client type `INTRUDER`. */
  INTRUDER: 'INTRUDER',
  /** Drata client type `INTUNE`. */
  INTUNE: 'INTUNE',
  /** Drata client type `INTUNE_GCC_HIGH`. */
  INTUNE_GCC_HIGH: 'INTUNE_GCC_HIGH',
  /** Drata client type `IRIS_AI`. */
  IRIS_AI: 'IRIS_AI',
  /** Drata client type `IRONCLAD_VENDOR`. */
  IRONCLAD_VENDOR: 'IRONCLAD_VENDOR',
  /** Drata client type `JAMF`. */
  JAMF: 'JAMF',
  /** Drata client type `JIRA`. */
  JIRA: 'JIRA',
  /** Drata client type `JIT`. */
  JIT: 'JIT',
  /** Drata client type `JUMPCLOUD`. */
  JUMPCLOUD: 'JUMPCLOUD',
  /** Drata client type `KANDJI`. */
  KANDJI: 'KANDJI',
  /** Drata client type `KARMACHECK`. */
  KARMACHECK: 'KARMACHECK',
  /** Drata client type `KNOWBE4`. */
  KNOWBE4: 'KNOWBE4',
  /** Drata client type `KOLIDE`. */
  KOLIDE: 'KOLIDE',
  /** Drata client type `LEEN_AIKIDO`. */
  LEEN_AIKIDO: 'LEEN_AIKIDO',
  /** Drata client type `LEEN_ARNICA`. */
  LEEN_ARNICA: 'LEEN_ARNICA',
  /** Drata client type `LEEN_CROWDSTRIKE_VMS`. */
  LEEN_CROWDSTRIKE_VMS: 'LEEN_CROWDSTRIKE_VMS',
  /** Drata client type `LEEN_GITLAB_VMS`. */
  LEEN_GITLAB_VMS: 'LEEN_GITLAB_VMS',
  /** Drata client type `LEEN_MS_DEFENDER_VMS`. */
  LEEN_MS_DEFENDER_VMS: 'LEEN_MS_DEFENDER_VMS',
  /** Drata client type `LEEN_MS_DEFENDER_VMS_GCC_HIGH`. */
  LEEN_MS_DEFENDER_VMS_GCC_HIGH: 'LEEN_MS_DEFENDER_VMS_GCC_HIGH',
  /** Drata client type `LEEN_ORCA_SECURITY`. */
  LEEN_ORCA_SECURITY: 'LEEN_ORCA_SECURITY',
  /** Drata client type `LEEN_QUALYS`. */
  LEEN_QUALYS: 'LEEN_QUALYS',
  /** Drata client type `LEEN_RAPID7_VMS`. */
  LEEN_RAPID7_VMS: 'LEEN_RAPID7_VMS',
  /** Drata client type `LEEN_SEMGREP`. */
  LEEN_SEMGREP: 'LEEN_SEMGREP',
  /** Drata client type `LEEN_SENTINELONE_VMS`. */
  LEEN_SENTINELONE_VMS: 'LEEN_SENTINELONE_VMS',
  /** Drata client type `LEEN_SNYK`. */
  LEEN_SNYK: 'LEEN_SNYK',
  /** Drata client type `LEEN_TENABLE`. */
  LEEN_TENABLE: 'LEEN_TENABLE',
  /** Drata client type `LEEN_UPWIND`. */
  LEEN_UPWIND: 'LEEN_UPWIND',
  /** Drata client type `LEEN_WIZ_CODE`. */
  LEEN_WIZ_CODE: 'LEEN_WIZ_CODE',
  /** Drata client type `LEEN_WIZ_VMS`. */
  LEEN_WIZ_VMS: 'LEEN_WIZ_VMS',
  /** Drata client type `LINEAR`. */
  LINEAR: 'LINEAR',
  /** Drata client type `MERGEDEV_ADP_WORKFORCE_NOW`. */
  MERGEDEV_ADP_WORKFORCE_NOW: 'MERGEDEV_ADP_WORKFORCE_NOW',
  /** Drata client type `MERGEDEV_AHA`. */
  MERGEDEV_AHA: 'MERGEDEV_AHA',
  /** Drata client type `MERGEDEV_ALEXISHR`. */
  MERGEDEV_ALEXISHR: 'MERGEDEV_ALEXISHR',
  /** Drata client type `MERGEDEV_BAMBOO_HR`. */
  MERGEDEV_BAMBOO_HR: 'MERGEDEV_BAMBOO_HR',
  /** Drata client type `MERGEDEV_BASECAMP`. */
  MERGEDEV_BASECAMP: 'MERGEDEV_BASECAMP',
  /** Drata client type `MERGEDEV_BITBUCKET`. */
  MERGEDEV_BITBUCKET: 'MERGEDEV_BITBUCKET',
  /** Drata client type `MERGEDEV_BREATHE`. */
  MERGEDEV_BREATHE: 'MERGEDEV_BREATHE',
  /** Drata client type `MERGEDEV_CHARLIE`. */
  MERGEDEV_CHARLIE: 'MERGEDEV_CHARLIE',
  /** Drata client type `MERGEDEV_CHARTHOP`. */
  MERGEDEV_CHARTHOP: 'MERGEDEV_CHARTHOP',
  /** Drata client type `MERGEDEV_CYBERARK`. */
  MERGEDEV_CYBERARK: 'MERGEDEV_CYBERARK',
  /** Drata client type `MERGEDEV_DARWINBOX`. */
  MERGEDEV_DARWINBOX: 'MERGEDEV_DARWINBOX',
  /** Drata client type `MERGEDEV_DAYFORCE`. */
  MERGEDEV_DAYFORCE: 'MERGEDEV_DAYFORCE',
  /** Drata client type `MERGEDEV_DEEL`. */
  MERGEDEV_DEEL: 'MERGEDEV_DEEL',
  /** Drata client type `MERGEDEV_EMPLOYMENT_HERO`. */
  MERGEDEV_EMPLOYMENT_HERO: 'MERGEDEV_EMPLOYMENT_HERO',
  /** Drata client type `MERGEDEV_FACTORIAL`. */
  MERGEDEV_FACTORIAL: 'MERGEDEV_FACTORIAL',
  /** Drata client type `MERGEDEV_FRESHDESK`. */
  MERGEDEV_FRESHDESK: 'MERGEDEV_FRESHDESK',
  /** Drata client type `MERGEDEV_FRESHSERVICE`. */
  MERGEDEV_FRESHSERVICE: 'MERGEDEV_FRESHSERVICE',
  /** Drata client type `MERGEDEV_FRESHTEAM`. */
  MERGEDEV_FRESHTEAM: 'MERGEDEV_FRESHTEAM',
  /** Drata client type `MERGEDEV_FRONT`. */
  MERGEDEV_FRONT: 'MERGEDEV_FRONT',
  /** Drata client type `MERGEDEV_HEIGHT`. */
  MERGEDEV_HEIGHT: 'MERGEDEV_HEIGHT',
  /** Drata client type `MERGEDEV_HIVE`. */
  MERGEDEV_HIVE: 'MERGEDEV_HIVE',
  /** Drata client type `MERGEDEV_HI_BOB`. */
  MERGEDEV_HI_BOB: 'MERGEDEV_HI_BOB',
  /** Drata client type `MERGEDEV_HR_CLOUD`. */
  MERGEDEV_HR_CLOUD: 'MERGEDEV_HR_CLOUD',
  /** Drata client type `MERGEDEV_HR_PARTNER`. */
  MERGEDEV_HR_PARTNER: 'MERGEDEV_HR_PARTNER',
  /** Drata client type `MERGEDEV_HUMAANS`. */
  MERGEDEV_HUMAANS: 'MERGEDEV_HUMAANS',
  /** Drata client type `MERGEDEV_INSPERITY_PREMIER`. */
  MERGEDEV_INSPERITY_PREMIER: 'MERGEDEV_INSPERITY_PREMIER',
  /** Drata client type `MERGEDEV_INTELLIHR`. */
  MERGEDEV_INTELLIHR: 'MERGEDEV_INTELLIHR',
  /** Drata client type `MERGEDEV_JIRA_DATA_CENTER`. */
  MERGEDEV_JIRA_DATA_CENTER: 'MERGEDEV_JIRA_DATA_CENTER',
  /** Drata client type `MERGEDEV_JUMPCLOUD`. */
  MERGEDEV_JUMPCLOUD: 'MERGEDEV_JUMPCLOUD',
  /** Drata client type `MERGEDEV_JUSTWORKS`. */
  MERGEDEV_JUSTWORKS: 'MERGEDEV_JUSTWORKS',
  /** Drata client type `MERGEDEV_KALLIDUS`. */
  MERGEDEV_KALLIDUS: 'MERGEDEV_KALLIDUS',
  /** Drata client type `MERGEDEV_KEKA`. */
  MERGEDEV_KEKA: 'MERGEDEV_KEKA',
  /** Drata client type `MERGEDEV_LATTICE_HRIS`. */
  MERGEDEV_LATTICE_HRIS: 'MERGEDEV_LATTICE_HRIS',
  /** Drata client type `MERGEDEV_LEAPSOME`. */
  MERGEDEV_LEAPSOME: 'MERGEDEV_LEAPSOME',
  /** Drata client type `MERGEDEV_LUCCA`. */
  MERGEDEV_LUCCA: 'MERGEDEV_LUCCA',
  /** Drata client type `MERGEDEV_NAMELY`. */
  MERGEDEV_NAMELY: 'MERGEDEV_NAMELY',
  /** Drata client type `MERGEDEV_OFFICIENT`. */
  MERGEDEV_OFFICIENT: 'MERGEDEV_OFFICIENT',
  /** Drata client type `MERGEDEV_ONELOGIN`. */
  MERGEDEV_ONELOGIN: 'MERGEDEV_ONELOGIN',
  /** Drata client type `MERGEDEV_OYSTERHR`. */
  MERGEDEV_OYSTERHR: 'MERGEDEV_OYSTERHR',
  /** Drata client type `MERGEDEV_PAYCHEX`. */
  MERGEDEV_PAYCHEX: 'MERGEDEV_PAYCHEX',
  /** Drata client type `MERGEDEV_PAYCOM`. */
  MERGEDEV_PAYCOM: 'MERGEDEV_PAYCOM',
  /** Drata client type `MERGEDEV_PAYCOR`. */
  MERGEDEV_PAYCOR: 'MERGEDEV_PAYCOR',
  /** Drata client type `MERGEDEV_PAYLOCITY`. */
  MERGEDEV_PAYLOCITY: 'MERGEDEV_PAYLOCITY',
  /** Drata client type `MERGEDEV_PEOPLE_HR`. */
  MERGEDEV_PEOPLE_HR: 'MERGEDEV_PEOPLE_HR',
  /** Drata client type `MERGEDEV_PERSONIO`. */
  MERGEDEV_PERSONIO: 'MERGEDEV_PERSONIO',
  /** Drata client type `MERGEDEV_PINGONE`. */
  MERGEDEV_PINGONE: 'MERGEDEV_PINGONE',
  /** Drata client type `MERGEDEV_SAGE`. */
  MERGEDEV_SAGE: 'MERGEDEV_SAGE',
  /** Drata client type `MERGEDEV_SAP_SUCCESSFACTORS`. */
  MERGEDEV_SAP_SUCCESSFACTORS: 'MERGEDEV_SAP_SUCCESSFACTORS',
  /** Drata client type `MERGEDEV_SERVICENOW`. */
  MERGEDEV_SERVICENOW: 'MERGEDEV_SERVICENOW',
  /** Drata client type `MERGEDEV_TEAMWORK`. */
  MERGEDEV_TEAMWORK: 'MERGEDEV_TEAMWORK',
  /** Drata client type `MERGEDEV_TRINET`. */
  MERGEDEV_TRINET: 'MERGEDEV_TRINET',
  /** Drata client type `MERGEDEV_TRINET_HR`. */
  MERGEDEV_TRINET_HR: 'MERGEDEV_TRINET_HR',
  /** Drata client type `MERGEDEV_UKG_PRO`. */
  MERGEDEV_UKG_PRO: 'MERGEDEV_UKG_PRO',
  /** Drata client type `MERGEDEV_UKG_READY`. */
  MERGEDEV_UKG_READY: 'MERGEDEV_UKG_READY',
  /** Drata client type `MERGEDEV_WORKDAY`. */
  MERGEDEV_WORKDAY: 'MERGEDEV_WORKDAY',
  /** Drata client type `MERGEDEV_WRIKE`. */
  MERGEDEV_WRIKE: 'MERGEDEV_WRIKE',
  /** Drata client type `MERGEDEV_ZENDESK`. */
  MERGEDEV_ZENDESK: 'MERGEDEV_ZENDESK',
  /** Drata client type `MERGEDEV_ZOHO_DESK`. */
  MERGEDEV_ZOHO_DESK: 'MERGEDEV_ZOHO_DESK',
  /** Drata client type `MERGEDEV_ZOHO_PEOPLE`. */
  MERGEDEV_ZOHO_PEOPLE: 'MERGEDEV_ZOHO_PEOPLE',
  /** Drata client type `MICROSOFT_365`. */
  MICROSOFT_365: 'MICROSOFT_365',
  /** Drata client type `MICROSOFT_365_GCC_HIGH`. */
  MICROSOFT_365_GCC_HIGH: 'MICROSOFT_365_GCC_HIGH',
  /** Drata client type `MICROSOFT_TEAMS`. */
  MICROSOFT_TEAMS: 'MICROSOFT_TEAMS',
  /** Drata client type `MIRO`. */
  MIRO: 'MIRO',
  /** Drata client type `MONGO_DB_ATLAS`. */
  MONGO_DB_ATLAS: 'MONGO_DB_ATLAS',
  /** Drata client type `NEW_RELIC`. */
  NEW_RELIC: 'NEW_RELIC',
  /** Drata client type `NINJAONE_MDM`. */
  NINJAONE_MDM: 'NINJAONE_MDM',
  /** Drata client type `NOTION`. */
  NOTION: 'NOTION',
  /** Drata client type `OKTA`. */
  OKTA: 'OKTA',
  /** Drata client type `OKTA_IDENTITY`. */
  OKTA_IDENTITY: 'OKTA_IDENTITY',
  /** Drata client type `OKTA_OAUTH`. */
  OKTA_OAUTH: 'OKTA_OAUTH',
  /** Drata client type `PAGER_DUTY`. */
  PAGER_DUTY: 'PAGER_DUTY',
  /** Drata client type `PIVOTAL_TRACKER`. */
  PIVOTAL_TRACKER: 'PIVOTAL_TRACKER',
  /** Drata client type `RAPID7`. */
  RAPID7: 'RAPID7',
  /** Drata client type `RIPPLING`. */
  RIPPLING: 'RIPPLING',
  /** Drata client type `RIPPLING_MDM`. */
  RIPPLING_MDM: 'RIPPLING_MDM',
  /** Drata client type `SALESFORCE`. */
  SALESFORCE: 'SALESFORCE',
  /** Drata client type `SALESFORCE_UAR`. */
  SALESFORCE_UAR: 'SALESFORCE_UAR',
  /** Drata client type `SEGMENT`. */
  SEGMENT: 'SEGMENT',
  /** Drata client type `SENTINEL_ONE`. */
  SENTINEL_ONE: 'SENTINEL_ONE',
  /** Drata client type `SENTRY`. */
  SENTRY: 'SENTRY',
  /** Drata client type `SHORTCUT`. */
  SHORTCUT: 'SHORTCUT',
  /** Drata client type `SLACK`. */
  SLACK: 'SLACK',
  /** Drata client type `SNOWFLAKE`. */
  SNOWFLAKE: 'SNOWFLAKE',
  /** Drata client type `STACKONE_1PASSWORD`. */
  STACKONE_1PASSWORD: 'STACKONE_1PASSWORD',
  /** Drata client type `STACKONE_15FIVE`. */
  STACKONE_15FIVE: 'STACKONE_15FIVE',
  /** Drata client type `STACKONE_360LEARNING`. */
  STACKONE_360LEARNING: 'STACKONE_360LEARNING',
  /** Drata client type `STACKONE_AIRCALL`. */
  STACKONE_AIRCALL: 'STACKONE_AIRCALL',
  /** Drata client type `STACKONE_ANSIBLE`. */
  STACKONE_ANSIBLE: 'STACKONE_ANSIBLE',
  /** Drata client type `STACKONE_ANTHROPIC`. */
  STACKONE_ANTHROPIC: 'STACKONE_ANTHROPIC',
  /** Drata client type `STACKONE_ARTICULATE`. */
  STACKONE_ARTICULATE: 'STACKONE_ARTICULATE',
  /** Drata client type `STACKONE_ASHBY`. */
  STACKONE_ASHBY: 'STACKONE_ASHBY',
  /** Drata client type `STACKONE_ATTIO`. */
  STACKONE_ATTIO: 'STACKONE_ATTIO',
  /** Drata client type `STACKONE_AUTODESK`. */
  STACKONE_AUTODESK: 'STACKONE_AUTODESK',
  /** Drata client type `STACKONE_BITWARDEN`. */
  STACKONE_BITWARDEN: 'STACKONE_BITWARDEN',
  /** Drata client type `STACKONE_BOX`. */
  STACKONE_BOX: 'STACKONE_BOX',
  /** Drata client type `STACKONE_BRAINIER`. */
  STACKONE_BRAINIER: 'STACKONE_BRAINIER',
  /** Drata client type `STACKONE_BULLHORN`. */
  STACKONE_BULLHORN: 'STACKONE_BULLHORN',
  /** Drata client type `STACKONE_CANVA`. */
  STACKONE_CANVA: 'STACKONE_CANVA',
  /** Drata client type `STACKONE_CHECKMK`. */
  STACKONE_CHECKMK: 'STACKONE_CHECKMK',
  /** Drata client type `STACKONE_CONTENTFUL`. */
  STACKONE_CONTENTFUL: 'STACKONE_CONTENTFUL',
  /** Drata client type `STACKONE_CORNERSTONE`. */
  STACKONE_CORNERSTONE: 'STACKONE_CORNERSTONE',
  /** Drata client type `STACKONE_COURSERA`. */
  STACKONE_COURSERA: 'STACKONE_COURSERA',
  /** Drata client type `STACKONE_DATABRICKS`. */
  STACKONE_DATABRICKS: 'STACKONE_DATABRICKS',
  /** Drata client type `STACKONE_DIALPAD`. */
  STACKONE_DIALPAD: 'STACKONE_DIALPAD',
  /** Drata client type `STACKONE_DIXA`. */
  STACKONE_DIXA: 'STACKONE_DIXA',
  /** Drata client type `STACKONE_DOCEBO`. */
  STACKONE_DOCEBO: 'STACKONE_DOCEBO',
  /** Drata client type `STACKONE_DOMO`. */
  STACKONE_DOMO: 'STACKONE_DOMO',
  /** Drata client type `STACKONE_DROPBOX`. */
  STACKONE_DROPBOX: 'STACKONE_DROPBOX',
  /** Drata client type `STACKONE_DROPBOX_SIGN`. */
  STACKONE_DROPBOX_SIGN: 'STACKONE_DROPBOX_SIGN',
  /** Drata client type `STACKONE_DUO`. */
  STACKONE_DUO: 'STACKONE_DUO',
  /** Drata client type `STACKONE_EASY_LLAMA`. */
  STACKONE_EASY_LLAMA: 'STACKONE_EASY_LLAMA',
  /** Drata client type `STACKONE_EGNYTE`. */
  STACKONE_EGNYTE: 'STACKONE_EGNYTE',
  /** Drata client type `STACKONE_ELASTIC`. */
  STACKONE_ELASTIC: 'STACKONE_ELASTIC',
  /** Drata client type `STACKONE_ENVOY`. */
  STACKONE_ENVOY: 'STACKONE_ENVOY',
  /** Drata client type `STACKONE_FIVETRAN`. */
  STACKONE_FIVETRAN: 'STACKONE_FIVETRAN',
  /** Drata client type `STACKONE_FRESHSALES`. */
  STACKONE_FRESHSALES: 'STACKONE_FRESHSALES',
  /** Drata client type `STACKONE_GO1`. */
  STACKONE_GO1: 'STACKONE_GO1',
  /** Drata client type `STACKONE_GONG`. */
  STACKONE_GONG: 'STACKONE_GONG',
  /** Drata client type `STACKONE_GREENHOUSE`. */
  STACKONE_GREENHOUSE: 'STACKONE_GREENHOUSE',
  /** Drata client type `STACKONE_HARVEST`. */
  STACKONE_HARVEST: 'STACKONE_HARVEST',
  /** Drata client type `STACKONE_IFS`. */
  STACKONE_IFS: 'STACKONE_IFS',
  /** Drata client type `STACKONE_INFOSEC`. */
  STACKONE_INFOSEC: 'STACKONE_INFOSEC',
  /** Drata client type `STACKONE_INTERCOM`. */
  STACKONE_INTERCOM: 'STACKONE_INTERCOM',
  /** Drata client type `STACKONE_IRONCLAD`. */
  STACKONE_IRONCLAD: 'STACKONE_IRONCLAD',
  /** Drata client type `STACKONE_JETBRAINS`. */
  STACKONE_JETBRAINS: 'STACKONE_JETBRAINS',
  /** Drata client type `STACKONE_KAMELEOON`. */
  STACKONE_KAMELEOON: 'STACKONE_KAMELEOON',
  /** Drata client type `STACKONE_KLAVIYO`. */
  STACKONE_KLAVIYO: 'STACKONE_KLAVIYO',
  /** Drata client type `STACKONE_LACEWORK`. */
  STACKONE_LACEWORK: 'STACKONE_LACEWORK',
  /** Drata client type `STACKONE_LASTPASS`. */
  STACKONE_LASTPASS: 'STACKONE_LASTPASS',
  /** Drata client type `STACKONE_LATTICE`. */
  STACKONE_LATTICE: 'STACKONE_LATTICE',
  /** Drata client type `STACKONE_LEAPSOME`. */
  STACKONE_LEAPSOME: 'STACKONE_LEAPSOME',
  /** Drata client type `STACKONE_LEVER`. */
  STACKONE_LEVER: 'STACKONE_LEVER',
  /** Drata client type `STACKONE_LINKEDIN_LEARNING`. */
  STACKONE_LINKEDIN_LEARNING: 'STACKONE_LINKEDIN_LEARNING',
  /** Drata client type `STACKONE_MAKE`. */
  STACKONE_MAKE: 'STACKONE_MAKE',
  /** Drata client type `STACKONE_MATILLIONETL`. */
  STACKONE_MATILLIONETL: 'STACKONE_MATILLIONETL',
  /** Drata client type `STACKONE_MEISTERTASK`. */
  STACKONE_MEISTERTASK: 'STACKONE_MEISTERTASK',
  /** Drata client type `STACKONE_MIXPANEL`. */
  STACKONE_MIXPANEL: 'STACKONE_MIXPANEL',
  /** Drata client type `STACKONE_NETLIFY`. */
  STACKONE_NETLIFY: 'STACKONE_NETLIFY',
  /** Drata client type `STACKONE_ONEFLOW`. */
  STACKONE_ONEFLOW: 'STACKONE_ONEFLOW',
  /** Drata client type `STACKONE_OPENAI`. */
  STACKONE_OPENAI: 'STACKONE_OPENAI',
  /** Drata client type `STACKONE_OPENVPN`. */
  STACKONE_OPENVPN: 'STACKONE_OPENVPN',
  /** Drata client type `STACKONE_OPTIMIZELY`. */
  STACKONE_OPTIMIZELY: 'STACKONE_OPTIMIZELY',
  /** Drata client type `STACKONE_ORACLEHCM`. */
  STACKONE_ORACLEHCM: 'STACKONE_ORACLEHCM',
  /** Drata client type `STACKONE_PEOPLE_FLUENT`. */
  STACKONE_PEOPLE_FLUENT: 'STACKONE_PEOPLE_FLUENT',
  /** Drata client type `STACKONE_PINPOINT`. */
  STACKONE_PINPOINT: 'STACKONE_PINPOINT',
  /** Drata client type `STACKONE_PIPEDRIVE`. */
  STACKONE_PIPEDRIVE: 'STACKONE_PIPEDRIVE',
  /** Drata client type `STACKONE_QLIK`. */
  STACKONE_QLIK: 'STACKONE_QLIK',
  /** Drata client type `STACKONE_RECRUITEE`. */
  STACKONE_RECRUITEE: 'STACKONE_RECRUITEE',
  /** Drata client type `STACKONE_RENDER`. */
  STACKONE_RENDER: 'STACKONE_RENDER',
  /** Drata client type `STACKONE_RETOOL`. */
  STACKONE_RETOOL: 'STACKONE_RETOOL',
  /** Drata client type `STACKONE_RING_CENTRAL`. */
  STACKONE_RING_CENTRAL: 'STACKONE_RING_CENTRAL',
  /** Drata client type `STACKONE_ROLLBAR`. */
  STACKONE_ROLLBAR: 'STACKONE_ROLLBAR',
  /** Drata client type `STACKONE_SALESLOFT`. */
  STACKONE_SALESLOFT: 'STACKONE_SALESLOFT',
  /** Drata client type `STACKONE_SAP_LEARNING`. */
  STACKONE_SAP_LEARNING: 'STACKONE_SAP_LEARNING',
  /** Drata client type `STACKONE_SCALEWAY`. */
  STACKONE_SCALEWAY: 'STACKONE_SCALEWAY',
  /** Drata client type `STACKONE_SCORO`. */
  STACKONE_SCORO: 'STACKONE_SCORO',
  /** Drata client type `STACKONE_SENDGRID`. */
  STACKONE_SENDGRID: 'STACKONE_SENDGRID',
  /** Drata client type `STACKONE_SMARTRECRUITERS`. */
  STACKONE_SMARTRECRUITERS: 'STACKONE_SMARTRECRUITERS',
  /** Drata client type `STACKONE_SMARTSHEET`. */
  STACKONE_SMARTSHEET: 'STACKONE_SMARTSHEET',
  /** Drata client type `STACKONE_SONARCLOUD`. */
  STACKONE_SONARCLOUD: 'STACKONE_SONARCLOUD',
  /** Drata client type `STACKONE_SOPHOS`. */
  STACKONE_SOPHOS: 'STACKONE_SOPHOS',
  /** Drata client type `STACKONE_SPENDESK`. */
  STACKONE_SPENDESK: 'STACKONE_SPENDESK',
  /** Drata client type `STACKONE_SPOTDRAFT`. */
  STACKONE_SPOTDRAFT: 'STACKONE_SPOTDRAFT',
  /** Drata client type `STACKONE_TABLEAU`. */
  STACKONE_TABLEAU: 'STACKONE_TABLEAU',
  /** Drata client type `STACKONE_TALENTLMS`. */
  STACKONE_TALENTLMS: 'STACKONE_TALENTLMS',
  /** Drata client type `STACKONE_TEAMTAILOR`. */
  STACKONE_TEAMTAILOR: 'STACKONE_TEAMTAILOR',
  /** Drata client type `STACKONE_TEAMVIEWER_REMOTE`. */
  STACKONE_TEAMVIEWER_REMOTE: 'STACKONE_TEAMVIEWER_REMOTE',
  /** Drata client type `STACKONE_TERRAFORM`. */
  STACKONE_TERRAFORM: 'STACKONE_TERRAFORM',
  /** Drata client type `STACKONE_TOGGL`. */
  STACKONE_TOGGL: 'STACKONE_TOGGL',
  /** Drata client type `STACKONE_TRAVISCI`. */
  STACKONE_TRAVISCI: 'STACKONE_TRAVISCI',
  /** Drata client type `STACKONE_TWILIO`. */
  STACKONE_TWILIO: 'STACKONE_TWILIO',
  /** Drata client type `STACKONE_UDEMY`. */
  STACKONE_UDEMY: 'STACKONE_UDEMY',
  /** Drata client type `STACKONE_WEBEX`. */
  STACKONE_WEBEX: 'STACKONE_WEBEX',
  /** Drata client type `STACKONE_WEBFLOW`. */
  STACKONE_WEBFLOW: 'STACKONE_WEBFLOW',
  /** Drata client type `STACKONE_WORKABLE`. */
  STACKONE_WORKABLE: 'STACKONE_WORKABLE',
  /** Drata client type `STACKONE_WORKDAY_LEARNING`. */
  STACKONE_WORKDAY_LEARNING: 'STACKONE_WORKDAY_LEARNING',
  /** Drata client type `STACKONE_XYLEME`. */
  STACKONE_XYLEME: 'STACKONE_XYLEME',
  /** Drata client type `STACKONE_ZELT`. */
  STACKONE_ZELT: 'STACKONE_ZELT',
  /** Drata client type `STERLING`. */
  STERLING: 'STERLING',
  /** Drata client type `SWIF`. */
  SWIF: 'SWIF',
  /** Drata client type `TARGET_PROCESS`. */
  TARGET_PROCESS: 'TARGET_PROCESS',
  /** Drata client type `TINES`. */
  TINES: 'TINES',
  /** Drata client type `TORQ`. */
  TORQ: 'TORQ',
  /** Drata client type `TRAY`. */
  TRAY: 'TRAY',
  /** Drata client type `TRELLO`. */
  TRELLO: 'TRELLO',
  /** Drata client type `UAR_CSV`. */
  UAR_CSV: 'UAR_CSV',
  /**
   * A client type that Drata returned but this gateway's schema does not list yet (Drata adds values every
   * few months). The raw value is on the field beside it. Not accepted as a filter.
   */
  UNKNOWN: 'UNKNOWN',
  /** Drata client type `VERCEL`. */
  VERCEL: 'VERCEL',
  /** Drata client type `VETTY`. */
  VETTY: 'VETTY',
  /** Drata client type `WIZ`. */
  WIZ: 'WIZ',
  /** Drata client type `WORKSPACE_ONE`. */
  WORKSPACE_ONE: 'WORKSPACE_ONE',
  /** Drata client type `WORK_OS`. */
  WORK_OS: 'WORK_OS',
  /** Drata client type `WORK_OS_SCIM`. */
  WORK_OS_SCIM: 'WORK_OS_SCIM',
  /** Drata client type `XERO`. */
  XERO: 'XERO',
  /** Drata client type `ZAPIER`. */
  ZAPIER: 'ZAPIER',
  /** Drata client type `ZIP`. */
  ZIP: 'ZIP',
  /** Drata client type `ZOHO`. */
  ZOHO: 'ZOHO',
  /** Drata client type `ZOOM`. */
  ZOOM: 'ZOOM'
} as const;

export type DrataClientType = typeof DrataClientType[keyof typeof DrataClientType];
/** What to sort connections by. */
export const DrataConnectionSortField = {
  /** When the connection was last connected. */
  CONNECTED_AT: 'CONNECTED_AT',
  /** The connection's client type (the integrated product). */
  CONNECTION_CLIENT_TYPE: 'CONNECTION_CLIENT_TYPE',
  /** The connection's provider type. */
  CONNECTION_PROVIDER_TYPE: 'CONNECTION_PROVIDER_TYPE',
  /** The connection's state. */
  CONNECTION_STATE: 'CONNECTION_STATE',
  /** When the connection was created in Drata (the default). */
  CREATED_AT: 'CREATED_AT'
} as const;

export type DrataConnectionSortField = typeof DrataConnectionSortField[keyof typeof DrataConnectionSortField];
/** Where a connection stands: working, broken, or not finished. */
export const DrataConnectionState = {
  /** The connection works: Drata reaches the provider and collects evidence from it. */
  ACTIVE: 'ACTIVE',
  /** The connection is configured and waits for a confirmation before Drata uses it. */
  CONFIGURED_PENDING_CONFIRMATION: 'CONFIGURED_PENDING_CONFIRMATION',
  /** The connection is being set up and is not usable yet. */
  IN_PROGRESS: 'IN_PROGRESS',
  /** Drata could not use the connection (bad credentials, missing permissions): `failedAt` and `code` say when and why. */
  MISCONFIGURED: 'MISCONFIGURED',
  /**
   * A state that Drata returned but this gateway's schema does not list yet (Drata adds values every
   * few months). The raw value is on the field beside it. Not accepted as a filter.
   */
  UNKNOWN: 'UNKNOWN'
} as const;

export type DrataConnectionState = typeof DrataConnectionState[keyof typeof DrataConnectionState];
/**
 * Every value of `extensions.code` on an error from this gateway. Clients can switch on these: they are
 * stable. An error may also carry `extensions.upstreamStatus` (Drata's HTTP status),
 * `extensions.upstreamCode` (Drata's numeric error code), `extensions.retryAfter` (seconds) and
 * `extensions.requestId` (the `x-request-id` of the call). No field returns it: it types the codes for
 * clients and their code generators.
 */
export const DrataErrorCode = {
  /**
   * The HTTP request is not a GraphQL request this server accepts: the body is not JSON, a parameter is
   * missing or of the wrong type, or the method or content type is not supported.
   */
  BAD_REQUEST: 'BAD_REQUEST',
  /**
   * An argument or variable is out of bounds or does not fit its type, or Drata rejected the request
   * (HTTP 400).
   */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The key lacks the permission this query needs (HTTP 403). */
  FORBIDDEN: 'FORBIDDEN',
  /** The query could not be parsed. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The query does not match the schema. */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** Something unexpected failed inside the gateway. Details are in its logs, under `requestId`. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /**
   * The operation would need more calls to Drata than one operation may make
   * (`MAX_UPSTREAM_CALLS_PER_OPERATION`): it was refused whole, before any call. The message names the
   * limit and the count.
   */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /** The request holds several operations and `operationName` does not pick one of them. */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /** Drata's plan for this account does not include the API (HTTP 402). */
  PAYMENT_REQUIRED: 'PAYMENT_REQUIRED',
  /**
   * The gateway runs trusted documents only (`TRUSTED_DOCUMENTS`) and the request sent a document of its
   * own, or no document id: send the id (`documentId`, or `extensions.persistedQuery.sha256Hash`) instead.
   */
  PERSISTED_QUERY_ID_REQUIRED: 'PERSISTED_QUERY_ID_REQUIRED',
  /** The gateway runs trusted documents only and knows no document by the id sent. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Drata's rate limit was reached (HTTP 429). `retryAfter` says how many seconds to wait, when known. */
  RATE_LIMITED: 'RATE_LIMITED',
  /**
   * The gateway reads Drata's whole list up to a cap (`DRATA_LIST_MAX_PAGES` pages of 50) and the list is
   * longer. An entity lookup (`_entities`, from another subgraph) did not reach this id: Drata has no
   * lookup by id, so the gateway stopped at the cap (ids that do not exist in a list read to its end
   * resolve to null instead). `connectionSummary` cannot count a list that long: narrow its filter.
   */
  SCAN_LIMIT_REACHED: 'SCAN_LIMIT_REACHED',
  /** The account has not accepted Drata's terms and conditions for the API (HTTP 412). */
  TERMS_NOT_ACCEPTED: 'TERMS_NOT_ACCEPTED',
  /** No `Authorization: Bearer <key>` header, a malformed one, or Drata refused the key (HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Drata's answer was not JSON, not the documented shape, or too large. */
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  /** Drata answered with an error or an unexpected status (5xx, 404, a redirect, ...). */
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  /** Drata did not answer in time. */
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  /** Drata could not be reached (connection refused or reset, name not resolved). */
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE'
} as const;

export type DrataErrorCode = typeof DrataErrorCode[keyof typeof DrataErrorCode];
/** A kind of provider a connection serves (identity, infrastructure, version control, ...): Drata's `ProviderTypeEnum`. */
export const DrataProviderType = {
  /** Drata provider type `AUDITS`. */
  AUDITS: 'AUDITS',
  /** Drata provider type `AUTOMATION_TOOLS`. */
  AUTOMATION_TOOLS: 'AUTOMATION_TOOLS',
  /** Drata provider type `BACKGROUND_CHECK`. */
  BACKGROUND_CHECK: 'BACKGROUND_CHECK',
  /** Drata provider type `CODEBASE`. */
  CODEBASE: 'CODEBASE',
  /** Drata provider type `COMMUNICATION`. */
  COMMUNICATION: 'COMMUNICATION',
  /** Drata provider type `CRM`. */
  CRM: 'CRM',
  /** Drata provider type `CSPM`. */
  CSPM: 'CSPM',
  /** Drata provider type `CUSTOM`. */
  CUSTOM: 'CUSTOM',
  /** Drata provider type `CYBER_INSURANCE`. */
  CYBER_INSURANCE: 'CYBER_INSURANCE',
  /** Drata provider type `DIGITAL_SIGNATURE`. */
  DIGITAL_SIGNATURE: 'DIGITAL_SIGNATURE',
  /** Drata provider type `EDR`. */
  EDR: 'EDR',
  /** Drata provider type `ENTERPRISE_SSO`. */
  ENTERPRISE_SSO: 'ENTERPRISE_SSO',
  /** Drata provider type `EXTERNAL_POLICY`. */
  EXTERNAL_POLICY: 'EXTERNAL_POLICY',
  /** Drata provider type `HRIS`. */
  HRIS: 'HRIS',
  /** Drata provider type `IDENTITY`. */
  IDENTITY: 'IDENTITY',
  /** Drata provider type `INFRASTRUCTURE`. */
  INFRASTRUCTURE: 'INFRASTRUCTURE',
  /** Drata provider type `MDM`. */
  MDM: 'MDM',
  /** Drata provider type `OBSERVABILITY`. */
  OBSERVABILITY: 'OBSERVABILITY',
  /** Drata provider type `PROCUREMENT`. */
  PROCUREMENT: 'PROCUREMENT',
  /** Drata provider type `SECURITY_REVIEWS`. */
  SECURITY_REVIEWS: 'SECURITY_REVIEWS',
  /** Drata provider type `SECURITY_TRAINING`. */
  SECURITY_TRAINING: 'SECURITY_TRAINING',
  /** Drata provider type `SINGLE_SIGN_ON`. */
  SINGLE_SIGN_ON: 'SINGLE_SIGN_ON',
  /** Drata provider type `TICKETING`. */
  TICKETING: 'TICKETING',
  /**
   * A provider type that Drata returned but this gateway's schema does not list yet (Drata adds values every
   * few months). The raw value is on the field beside it. Not accepted as a filter.
   */
  UNKNOWN: 'UNKNOWN',
  /** Drata provider type `USER_ACCESS_REVIEW`. */
  USER_ACCESS_REVIEW: 'USER_ACCESS_REVIEW',
  /** Drata provider type `VERSION_CONTROL`. */
  VERSION_CONTROL: 'VERSION_CONTROL',
  /** Drata provider type `VULNERABILITY`. */
  VULNERABILITY: 'VULNERABILITY'
} as const;

export type DrataProviderType = typeof DrataProviderType[keyof typeof DrataProviderType];
/** The order of a sort. */
export const DrataSortDirection = {
  /** Ascending: oldest first, A to Z. */
  ASC: 'ASC',
  /** Descending: newest first, Z to A. */
  DESC: 'DESC'
} as const;

export type DrataSortDirection = typeof DrataSortDirection[keyof typeof DrataSortDirection];