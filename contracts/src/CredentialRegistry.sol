// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

// The role bits of a credential. A clinician may be shown to patients as verified; a
// prescriber may write prescriptions and a pharmacy dispense them (PrescriptionRegistry).
uint8 constant ROLE_CLINICIAN = 1;
uint8 constant ROLE_PRESCRIBER = 2;
uint8 constant ROLE_PHARMACY = 4;

/// @title CareKey credential registry
/// @notice Which addresses belong to licensed clinicians, prescribers and pharmacies, as their
/// licensing bodies (the issuers) registered them. The credential document itself (name,
/// licence number, jurisdiction, role, signed by the issuer as an EIP-712 Verifiable
/// Credential) stays with the professional; the chain keeps the roles, the validity period,
/// the issuer and the document's hash.
/// @dev The issuers are fixed at deployment: nobody, not even the deployer, can add one later.
/// A new licensing body means a new deployment.
///
/// One storage slot per professional (248 bits): the issuer's 1-based index (8 bits), the role
/// bits (8), the revoked flag (8), the validity period as two uint32 unix times (valid until
/// 2106) and the first 160 bits of the document hash. The full 256-bit hash is in the
/// `CredentialIssued` event. Keeping the whole hash in storage would take a second slot
/// (another 22,100 gas per issue); a 160-bit prefix still makes a forged document that matches
/// it a 2^160 second-preimage search, and the event keeps the full hash for anyone who wants it.
contract CredentialRegistry {
    uint8 private constant ALL_ROLES = ROLE_CLINICIAN | ROLE_PRESCRIBER | ROLE_PHARMACY;

    enum Status {
        /// Never issued, or issued without the role asked about.
        None,
        Valid,
        Revoked,
        Expired,
        /// Issued, but its validity has not started yet.
        Pending
    }

    struct Credential {
        /// 1-based index into `issuers`; 0 when no credential was ever issued.
        uint8 issuer;
        uint8 roles;
        bool revoked;
        uint32 validFrom;
        uint32 validUntil;
        /// The first 160 bits of the credential document's hash.
        bytes20 documentHash;
    }

    address[] private issuerList;
    mapping(address issuer => uint8 index) private issuerIndex;
    mapping(address professional => Credential) private credentials;

    event CredentialIssued(
        address indexed professional,
        address indexed issuer,
        uint8 roles,
        uint32 validFrom,
        uint32 validUntil,
        bytes32 documentHash
    );
    event CredentialRevoked(address indexed professional, address indexed issuer);

    /// The caller is not one of the issuers configured at deployment.
    error NotAnIssuer(address caller);
    /// The deployment named no issuer, more than 255, the zero address or one twice.
    error InvalidIssuers();
    /// The professional's address is zero.
    error InvalidProfessional();
    /// No role, or a bit that is not a role.
    error InvalidRoles(uint8 roles);
    /// The period is empty (until not after from) or already over.
    error InvalidValidity(uint32 validFrom, uint32 validUntil);
    /// The document hash is zero.
    error EmptyDocumentHash();
    /// Another issuer holds a credential for this address that is neither revoked nor expired.
    error CredentialHeldByAnotherIssuer(address professional, address issuer);
    /// No credential was ever issued for this address.
    error NoCredential(address professional);
    /// Only the issuer that registered a credential may revoke it.
    error NotTheIssuer(address professional, address issuer);
    /// The credential is already revoked.
    error CredentialAlreadyRevoked(address professional);

    constructor(address[] memory issuers_) {
        uint256 n = issuers_.length;
        if (n == 0 || n > type(uint8).max) revert InvalidIssuers();
        for (uint256 i; i < n; ++i) {
            address issuer = issuers_[i];
            if (issuer == address(0) || issuerIndex[issuer] != 0) revert InvalidIssuers();
            issuerList.push(issuer);
            issuerIndex[issuer] = uint8(i + 1);
        }
    }

    /// @notice Registers `professional` with `roles` (a bit set of ROLE_*) from `validFrom` until
    /// `validUntil` (unix seconds, exclusive) for the document whose hash is `documentHash`.
    /// Only a configured issuer may call it. It replaces an earlier credential of the same
    /// issuer (a renewal, a change of roles, a reinstatement after a revoke), or one of another
    /// issuer that was revoked or has expired; never a current one of another issuer.
    function issue(address professional, uint8 roles, uint32 validFrom, uint32 validUntil, bytes32 documentHash)
        external
    {
        uint8 index = issuerIndex[msg.sender];
        if (index == 0) revert NotAnIssuer(msg.sender);
        if (professional == address(0)) revert InvalidProfessional();
        if (roles == 0 || roles & ~ALL_ROLES != 0) revert InvalidRoles(roles);
        if (validUntil <= validFrom || validUntil <= block.timestamp) revert InvalidValidity(validFrom, validUntil);
        if (documentHash == bytes32(0)) revert EmptyDocumentHash();
        Credential storage c = credentials[professional];
        uint8 held = c.issuer;
        if (held != 0 && held != index && !c.revoked && block.timestamp < c.validUntil) {
            revert CredentialHeldByAnotherIssuer(professional, issuerList[held - 1]);
        }
        credentials[professional] = Credential({
            issuer: index,
            roles: roles,
            revoked: false,
            validFrom: validFrom,
            validUntil: validUntil,
            documentHash: bytes20(documentHash)
        });
        emit CredentialIssued(professional, msg.sender, roles, validFrom, validUntil, documentHash);
    }

    /// @notice Revokes the credential of `professional`. Only the issuer that registered it may.
    /// A revoked credential stays revoked until its issuer issues it again.
    function revoke(address professional) external {
        Credential storage c = credentials[professional];
        uint8 held = c.issuer;
        if (held == 0) revert NoCredential(professional);
        if (issuerIndex[msg.sender] != held) revert NotTheIssuer(professional, issuerList[held - 1]);
        if (c.revoked) revert CredentialAlreadyRevoked(professional);
        c.revoked = true;
        emit CredentialRevoked(professional, msg.sender);
    }

    /// @notice The issuers configured at deployment, in order.
    function issuers() external view returns (address[] memory) {
        return issuerList;
    }

    /// @notice Whether `account` is one of the configured issuers.
    function isIssuer(address account) external view returns (bool) {
        return issuerIndex[account] != 0;
    }

    /// @notice The credential of `professional` as it stands now: its status (None, Valid,
    /// Revoked, Expired or Pending, whatever its roles), the issuer, the roles, the period and
    /// the first 160 bits of the document hash. All zero for None.
    function credentialOf(address professional)
        external
        view
        returns (
            Status status,
            address issuer,
            uint8 roles,
            uint32 validFrom,
            uint32 validUntil,
            bytes20 documentHash
        )
    {
        Credential memory c = credentials[professional];
        if (c.issuer == 0) return (Status.None, address(0), 0, 0, 0, bytes20(0));
        return (_status(c), issuerList[c.issuer - 1], c.roles, c.validFrom, c.validUntil, c.documentHash);
    }

    /// @notice The status of `account` for every role in `role` (a ROLE_* bit, or several that
    /// must all be held): None when it holds no credential or one without the role, else the
    /// credential's status. For other contracts (PrescriptionRegistry) and for verifiers.
    function statusFor(address account, uint8 role) external view returns (Status) {
        Credential memory c = credentials[account];
        if (c.issuer == 0 || role == 0 || c.roles & role != role) return Status.None;
        return _status(c);
    }

    /// @notice Whether `account` holds every role in `role` right now: issued with it, not
    /// revoked, within its validity period.
    function hasRole(address account, uint8 role) external view returns (bool) {
        Credential memory c = credentials[account];
        return c.issuer != 0 && role != 0 && c.roles & role == role && _status(c) == Status.Valid;
    }

    function _status(Credential memory c) private view returns (Status) {
        if (c.revoked) return Status.Revoked;
        if (block.timestamp >= c.validUntil) return Status.Expired;
        if (block.timestamp < c.validFrom) return Status.Pending;
        return Status.Valid;
    }
}
